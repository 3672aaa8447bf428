package dev.vireo.sys;

import dev.vireo.sys.abi.EpollEvent;
import dev.vireo.sys.abi.Pollfd;
import dev.vireo.sys.abi.kvm.KvmRegs;
import dev.vireo.sys.abi.kvm.KvmRun;
import dev.vireo.sys.abi.uring.IoUring;
import dev.vireo.sys.abi.uring.IoUringParams;
import dev.vireo.sys.abi.uring.IoUringProbe;
import dev.vireo.sys.kvm.KvmSystem;
import dev.vireo.sys.kvm.VcpuFd;
import dev.vireo.sys.kvm.VmFd;
import dev.vireo.sys.testing.FdLeakCheck;
import dev.vireo.sys.testing.Requires;
import dev.vireo.sys.abi.kvm.KvmCap;
import dev.vireo.sys.abi.kvm.KvmExit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Round trips through the real kernel: memory, eventfd, sockets with fd passing, mounts, io_uring, KVM. */
@ExtendWith(FdLeakCheck.class)
class KernelRoundTripTest {

    @Test
    void memfdWrittenThroughOneMappingIsReadThroughAnother() {
        try (Fd memfd = MemCalls.memfdCreate("round-trip", MemCalls.MFD_CLOEXEC)) {
            FdCalls.ftruncate(memfd.num(), 1 << 20);
            try (Mapping writer = MemCalls.mmap(1 << 20, MemCalls.PROT_READ | MemCalls.PROT_WRITE, MemCalls.MAP_SHARED, memfd.num(), 0);
                 Mapping reader = MemCalls.mmap(1 << 16, MemCalls.PROT_READ, MemCalls.MAP_SHARED, memfd.num(), 1 << 16)) {
                writer.segment().set(JAVA_LONG, (1 << 16) + 8, 0x5EED_CAFE_F00DL);
                assertThat(reader.segment().get(JAVA_LONG, 8)).isEqualTo(0x5EED_CAFE_F00DL);
                assertThat(reader.segment().byteSize()).isEqualTo(1 << 16);
                // the read-only mapping cannot be written through (an FFM exception, not a SIGSEGV)
                assertThatThrownBy(() -> reader.segment().set(JAVA_BYTE, 0, (byte) 1))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("read-only");
                MemCalls.madvise(writer.segment().asSlice(0, 4096), MemCalls.MADV_DONTNEED);
            }
        }
    }

    @Test
    void eventfdCountsAndResets() {
        try (Fd efd = EventCalls.eventfd(EventCalls.EFD_NONBLOCK | EventCalls.EFD_CLOEXEC)) {
            assertThat(EventCalls.eventfdRead(efd.num())).as("empty non-blocking eventfd").isZero();
            EventCalls.eventfdWrite(efd.num(), 3);
            EventCalls.eventfdWrite(efd.num(), 4);
            assertThat(EventCalls.eventfdRead(efd.num())).isEqualTo(7);
            assertThat(EventCalls.eventfdRead(efd.num())).isZero();
        }
        try (Fd sem = EventCalls.eventfd(EventCalls.EFD_NONBLOCK | EventCalls.EFD_SEMAPHORE | EventCalls.EFD_CLOEXEC)) {
            EventCalls.eventfdWrite(sem.num(), 2);
            assertThat(EventCalls.eventfdRead(sem.num())).isEqualTo(1);
            assertThat(EventCalls.eventfdRead(sem.num())).isEqualTo(1);
            assertThat(EventCalls.eventfdRead(sem.num())).isZero();
        }
    }

    @Test
    void epollAndPollReportAReadyEventfd() {
        try (Arena a = Arena.ofConfined();
             Fd efd = EventCalls.eventfd(EventCalls.EFD_NONBLOCK | EventCalls.EFD_CLOEXEC);
             Fd ep = Fd.adopt(EventCalls.epollCreate1(EventCalls.EPOLL_CLOEXEC), "epoll")) {
            MemorySegment ev = a.allocate(EpollEvent.LAYOUT);
            EpollEvent.set(ev, EventCalls.EPOLLIN, 0xABCDEF0123L);
            EventCalls.epollCtl(ep.num(), EventCalls.EPOLL_CTL_ADD, efd.num(), ev);
            MemorySegment events = a.allocate(EpollEvent.LAYOUT, 4);
            assertThat(EventCalls.epollWait(ep.num(), events, 4, 0)).isZero();
            EventCalls.eventfdWrite(efd.num(), 1);
            assertThat(EventCalls.epollWait(ep.num(), events, 4, 1000)).isEqualTo(1);
            assertThat(EpollEvent.data(events, 0)).isEqualTo(0xABCDEF0123L);
            assertThat(EpollEvent.events(events, 0) & EventCalls.EPOLLIN).isNotZero();

            MemorySegment pfd = a.allocate(Pollfd.LAYOUT);
            Pollfd.set(pfd, 0, efd.num(), EventCalls.POLLIN);
            assertThat(EventCalls.poll(pfd, 1, 1000)).isEqualTo(1);
            assertThat(Pollfd.revents(pfd, 0) & EventCalls.POLLIN).isNotZero();
            EventCalls.epollCtl(ep.num(), EventCalls.EPOLL_CTL_DEL, efd.num(), MemorySegment.NULL);
        }
    }

    @Test
    void peerCredentialsNameTheProcessAtTheOtherEnd() {
        Fd[] pair = SocketCalls.socketpair(SocketCalls.AF_UNIX, SocketCalls.SOCK_STREAM | SocketCalls.SOCK_CLOEXEC, 0);
        try {
            SocketCalls.PeerCredentials c = SocketCalls.peerCredentials(pair[0].num());
            assertThat(c.pid()).isEqualTo(ProcessHandle.current().pid());
        } finally {
            pair[0].close();
            pair[1].close();
        }
    }

    @Test
    void aDescriptorPassedOverSocketpairWorksOnTheOtherSide(@TempDir Path dir) throws Exception {
        Fd[] pair = SocketCalls.socketpair(SocketCalls.AF_UNIX, SocketCalls.SOCK_STREAM | SocketCalls.SOCK_CLOEXEC, 0);
        try (Arena a = Arena.ofConfined(); Fd left = pair[0]; Fd right = pair[1];
             Fd memfd = MemCalls.memfdCreate("passed", MemCalls.MFD_CLOEXEC)) {
            FdCalls.ftruncate(memfd.num(), 4096);
            MemorySegment msg = a.allocateFrom("here is a memfd").asSlice(0, 15);
            assertThat(SocketCalls.sendWithFds(left.num(), msg, memfd.num())).isEqualTo(15);

            MemorySegment buf = a.allocate(64);
            SocketCalls.Received got = SocketCalls.recvWithFds(right.num(), buf, 4);
            assertThat(got.length()).isEqualTo(15);
            assertThat(got.truncated()).isFalse();
            assertThat(got.fds()).hasSize(1);
            try (Fd received = got.fds()[0];
                 Mapping view = MemCalls.mmap(4096, MemCalls.PROT_READ | MemCalls.PROT_WRITE, MemCalls.MAP_SHARED, received.num(), 0);
                 Mapping original = MemCalls.mmap(4096, MemCalls.PROT_READ, MemCalls.MAP_SHARED, memfd.num(), 0)) {
                assertThat(received.num()).isNotEqualTo(memfd.num());
                view.segment().set(JAVA_LONG, 0, 42);
                assertThat(original.segment().get(JAVA_LONG, 0)).isEqualTo(42);
                assertThat(FdCalls.fcntl(received.num(), FdCalls.F_GETFD, 0) & FdCalls.FD_CLOEXEC)
                        .as("MSG_CMSG_CLOEXEC").isEqualTo(FdCalls.FD_CLOEXEC);
            }

            // more descriptors than the receiver accepts: the extra ones are dropped by the kernel, not leaked
            SocketCalls.sendWithFds(left.num(), msg, memfd.num(), memfd.num(), memfd.num());
            SocketCalls.Received limited = SocketCalls.recvWithFds(right.num(), buf, 1);
            assertThat(limited.truncated()).isTrue();
            assertThat(limited.fds()).hasSize(1);
            for (Fd f : limited.fds()) {
                f.close();
            }
            left.close();
            assertThat(SocketCalls.recvWithFds(right.num(), buf, 1).length()).as("peer closed").isZero();
        }
    }

    @Test
    void unixSocketsByPath(@TempDir Path dir) throws Exception {
        String path = dir.resolve("sock").toString();
        try (Fd server = Fd.adopt(SocketCalls.socket(SocketCalls.AF_UNIX, SocketCalls.SOCK_STREAM | SocketCalls.SOCK_CLOEXEC, 0), "server")) {
            SocketCalls.bindUnix(server.num(), path);
            SocketCalls.listen(server.num(), 1);
            CompletableFuture<Fd> accepted = CompletableFuture.supplyAsync(
                    () -> Fd.adopt(SocketCalls.accept4(server.num(), SocketCalls.SOCK_CLOEXEC), "accepted"));
            try (Arena a = Arena.ofConfined();
                 Fd client = Fd.adopt(SocketCalls.socket(SocketCalls.AF_UNIX, SocketCalls.SOCK_STREAM | SocketCalls.SOCK_CLOEXEC, 0), "client")) {
                SocketCalls.connectUnix(client.num(), path);
                try (Fd peer = accepted.get(10, TimeUnit.SECONDS)) {
                    FdCalls.writeFully(client.num(), a.allocateFrom("ping").asSlice(0, 4));
                    MemorySegment buf = a.allocate(4);
                    assertThat(FdCalls.read(peer.num(), buf)).isEqualTo(4);
                    SocketCalls.shutdown(client.num(), SocketCalls.SHUT_WR);
                    assertThat(FdCalls.read(peer.num(), buf)).isZero();
                }
            }
        }
        assertThatThrownBy(() -> SocketCalls.bindUnix(0, "x".repeat(200))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tmpfsMountsAndUnmounts(@TempDir Path dir) throws Exception {
        Requires.root();
        Path mnt = Files.createDirectory(dir.resolve("mnt"));
        FsCalls.mount("vireo-test", mnt.toString(), "tmpfs", FsCalls.MS_NOSUID | FsCalls.MS_NODEV, "size=1m,mode=0700");
        try {
            Files.writeString(mnt.resolve("on-tmpfs"), "x");
            assertThat(Files.readAllLines(Path.of("/proc/self/mountinfo")))
                    .anyMatch(l -> l.contains(" " + mnt + " ") && l.contains(" - tmpfs vireo-test "));
        } finally {
            FsCalls.umount2(mnt.toString(), 0);
        }
        assertThat(mnt.resolve("on-tmpfs")).doesNotExist();
        assertThatThrownBy(() -> FsCalls.umount2(mnt.toString(), 0))
                .isInstanceOfSatisfying(SysException.class, e -> assertThat(e.is(Errno.EINVAL)).isTrue());
    }

    @Test
    void ioUringSetupReturnsARingAndItsFeatures() {
        Requires.that(HostFiles.read("/proc/sys/kernel/io_uring_disabled").equals("0"), "needs io_uring enabled");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment params = a.allocate(IoUringParams.LAYOUT);
            try (Fd ring = IoUringCalls.setup(64, params)) {
                int features = IoUringParams.features(params);
                System.out.printf("io_uring: %d SQ / %d CQ entries, features 0x%x, sq_off.array %d, cq_off.cqes %d%n",
                        IoUringParams.sqEntries(params), IoUringParams.cqEntries(params), features,
                        dev.vireo.sys.abi.uring.IoSqringOffsets.array(IoUringParams.sqOff(params)),
                        dev.vireo.sys.abi.uring.IoCqringOffsets.cqes(IoUringParams.cqOff(params)));
                assertThat(IoUringParams.sqEntries(params)).isEqualTo(64);
                assertThat(IoUringParams.cqEntries(params)).isEqualTo(128);
                assertThat(features & IoUring.IORING_FEAT_SINGLE_MMAP).isNotZero();
                assertThat(features & IoUring.IORING_FEAT_NODROP).isNotZero();

                MemorySegment probe = a.allocate(IoUringProbe.allocationSize(), 8);
                IoUringCalls.register(ring.num(), IoUring.IORING_REGISTER_PROBE, probe, IoUringProbe.MAX_OPS);
                assertThat(IoUringProbe.lastOp(probe)).isGreaterThanOrEqualTo(IoUring.IORING_OP_SENDMSG_ZC);
                for (int op : new int[] {IoUring.IORING_OP_NOP, IoUring.IORING_OP_READ, IoUring.IORING_OP_READV,
                        IoUring.IORING_OP_POLL_ADD, IoUring.IORING_OP_ASYNC_CANCEL, IoUring.IORING_OP_SENDMSG}) {
                    assertThat(IoUringProbe.supported(probe, op)).as("opcode " + op).isTrue();
                }
                // nothing queued: entering with GETEVENTS and min 0 returns at once
                assertThat(IoUringCalls.enter(ring.num(), 0, 0, IoUring.IORING_ENTER_GETEVENTS)).isZero();
            }
            MemorySegment bad = a.allocate(IoUringParams.LAYOUT);
            IoUringParams.flags(bad, 1 << 30);
            assertThatThrownBy(() -> IoUringCalls.setup(8, bad)).isInstanceOfSatisfying(SysException.class,
                    e -> assertThat(e.is(Errno.EINVAL)).isTrue());
        }
    }

    @Test
    void kvmApiVersionIs12AndAVmCanBeCreated() {
        Requires.device("/dev/kvm");
        try (KvmSystem kvm = KvmSystem.open(); Arena a = Arena.ofConfined()) {
            assertThat(kvm.apiVersion()).isEqualTo(12);
            assertThat(kvm.checkExtension(KvmCap.KVM_CAP_USER_MEMORY)).isPositive();
            assertThat(kvm.vcpuMmapSize()).isGreaterThanOrEqualTo((int) KvmRun.LAYOUT.byteSize());
            try (VmFd vm = kvm.createVm();
                 Mapping ram = MemCalls.mmap(1 << 20, MemCalls.PROT_READ | MemCalls.PROT_WRITE,
                         MemCalls.MAP_PRIVATE | MemCalls.MAP_ANONYMOUS, -1, 0)) {
                vm.setUserMemoryRegion(0, 0, 0, ram.segment());
                try (VcpuFd vcpu = vm.createVcpu(0)) {
                    MemorySegment regs = a.allocate(KvmRegs.LAYOUT);
                    vcpu.getRegs(regs);
                    assertThat(KvmRegs.rflags(regs) & 2).as("reserved rflags bit 1").isEqualTo(2);
                    KvmRegs.rax(regs, 0x1234);
                    vcpu.setRegs(regs);
                    vcpu.getRegs(regs);
                    assertThat(KvmRegs.rax(regs)).isEqualTo(0x1234);
                    assertThat(KvmRun.exitReason(vcpu.kvmRun())).isBetween(KvmExit.KVM_EXIT_UNKNOWN, 100);
                }
                vm.setUserMemoryRegion(0, 0, 0, ram.segment().asSlice(0, 0)); // delete the slot before unmapping
            }
        }
    }

    @Test
    void perThreadCredentialsAndNames() throws Exception {
        Requires.root();
        int pid = ThreadCalls.getpid();
        assertThat(pid).isEqualTo(ProcessHandle.current().pid());
        Thread t = Thread.ofPlatform().start(() -> {
            int previous = ThreadCalls.setfsuid(1000);
            ThreadCalls.setfsgid(1000);
            ThreadCalls.setgroupsThisThread(new int[] {1000, 2000});
            ThreadCalls.setName("vireo-test-cred");
            try {
                String status = HostFiles.read("/proc/self/task/" + ThreadCalls.gettid() + "/status");
                assertThat(status).contains("Name:\tvireo-test-cred");
                assertThat(status).containsPattern("Uid:\\s+0\\s+0\\s+0\\s+1000");
                assertThat(status).contains("Groups:\t1000 2000");
            } finally {
                ThreadCalls.setfsuid(previous);
                ThreadCalls.setfsgid(0);
                ThreadCalls.setgroupsThisThread(new int[0]);
            }
        });
        t.join();
        // other threads were not touched
        assertThat(HostFiles.read("/proc/self/status")).doesNotContain("1000 2000");
        assertThat(ThreadCalls.gettid()).isPositive();
        assertThat(ThreadCalls.pthreadSelf()).isNotZero();
    }

    /** Reads small proc/sys files. */
    static final class HostFiles {
        static String read(String path) {
            try {
                return Files.readString(Path.of(path)).trim();
            } catch (java.io.IOException e) {
                return "";
            }
        }
    }
}
