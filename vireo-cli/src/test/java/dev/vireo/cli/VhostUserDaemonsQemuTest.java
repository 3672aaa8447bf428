package dev.vireo.cli;

import dev.vireo.sys.Fd;
import dev.vireo.sys.FdCalls;
import dev.vireo.sys.FsCalls;
import dev.vireo.sys.ThreadCalls;
import dev.vireo.sys.testing.FdLeakCheck;
import dev.vireo.sys.testing.HostCommand;
import dev.vireo.sys.testing.Requires;
import dev.vireo.vmm.backend.BackendFactory;
import dev.vireo.vmm.backend.DeviceServer;
import dev.vireo.vmm.backend.Disk;
import dev.vireo.vmm.backend.ExternalBackend;
import dev.vireo.vmm.backend.InProcessBackends;
import dev.vireo.vmm.backend.Share;
import dev.vireo.vmm.qemu.Machine;
import dev.vireo.vmm.qemu.VhostUserDevice;
import dev.vireo.vmm.run.RunException;
import dev.vireo.vmm.run.RunIo;
import dev.vireo.vmm.run.RunOptions;
import dev.vireo.vmm.run.VmRun;
import dev.vireo.vmm.testing.BlockPattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code vireo virtiofsd}, {@code vireo vhost-user-blk} and {@code vireo vhost-user-rng} as QEMU's
 * external vhost-user daemons, against the real peers: QEMU (TCG) with the -pci devices on q35 and
 * the virtio-mmio ones on microvm (modern virtio-mmio, memfd guest memory with share=on), and
 * Debian's kernel with its virtiofs, virtio_blk and virtio_rng drivers in the guest. The guest and
 * the QEMU command come from {@code vireo run}'s launcher; only the backends are swapped for
 * separate {@code vireo} processes started the way a user starts them.
 */
@ExtendWith(FdLeakCheck.class)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class VhostUserDaemonsQemuTest {

    @TempDir
    Path dir;

    @BeforeEach
    void peers() {
        Requires.root();
        Requires.command("qemu-system-x86_64");
        Requires.command("apt-get");
    }

    @AfterEach
    void nothingLeftBehind() {
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .map(p -> p.info().commandLine().orElse("?"))).as("child processes left running").isEmpty();
    }

    /** The command line of a {@code vireo} process running {@code args}, on this test's class path. */
    private static List<String> vireo(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** vireo's in-process backends, except that shares go to a {@code vireo virtiofsd} process. */
    private record DaemonBackends(List<String> daemonArgs) implements BackendFactory {
        private static final InProcessBackends IN_PROCESS = new InProcessBackends();

        @Override
        public DeviceServer share(Share share, String tag, Path socket) {
            List<String> cmd = vireo("virtiofsd", "--socket-path", socket.toString(), "--shared-dir", share.host().toString(),
                    "--tag", tag, "--sandbox", "none");
            if (share.readOnly()) {
                cmd.add("--readonly");
            }
            cmd.addAll(daemonArgs);
            return new ExternalBackend(VhostUserDevice.Kind.FS, socket, Map.of("tag", tag), cmd,
                    "virtio-fs " + share.host() + ", vireo virtiofsd " + String.join(" ", daemonArgs));
        }

        @Override
        public DeviceServer disk(Disk disk, Path socket) {
            return IN_PROCESS.disk(disk, socket);
        }

        @Override
        public Optional<DeviceServer> entropy(Path socket) {
            return Optional.empty();
        }

        @Override
        public String describe() {
            return "vireo virtiofsd as a separate process";
        }
    }

    /** Disks served by {@code vireo vhost-user-blk} processes, entropy by a {@code vireo vhost-user-rng} process. */
    private record BlockAndEntropyDaemons() implements BackendFactory {
        @Override
        public DeviceServer share(Share share, String tag, Path socket) {
            throw new UnsupportedOperationException("no shares in this test");
        }

        @Override
        public DeviceServer disk(Disk disk, Path socket) {
            List<String> cmd = vireo("vhost-user-blk", "--socket-path", socket.toString(), "--image", disk.file().toString());
            if (disk.readOnly()) {
                cmd.add("--readonly");
            }
            return new ExternalBackend(VhostUserDevice.Kind.BLOCK, socket, Map.of(), cmd, "virtio-blk " + disk.file() + ", vireo vhost-user-blk");
        }

        @Override
        public Optional<DeviceServer> entropy(Path socket) {
            return Optional.of(new ExternalBackend(VhostUserDevice.Kind.RNG, socket, Map.of(),
                    vireo("vhost-user-rng", "--socket-path", socket.toString()), "virtio-rng, vireo vhost-user-rng"));
        }

        @Override
        public String describe() {
            return "vireo vhost-user-blk and vhost-user-rng as separate processes";
        }
    }

    private record Outcome(int status, String out, String err, String messages) {
    }

    /** Stdout that also releases a latch once it has seen {@code marker}. */
    private static final class Watched extends ByteArrayOutputStream {
        final CountDownLatch seen = new CountDownLatch(1);
        private final String marker;

        Watched(String marker) {
            this.marker = marker;
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            super.write(b, off, len);
            if (toString(StandardCharsets.UTF_8).contains(marker)) {
                seen.countDown();
            }
        }

        @Override
        public synchronized void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }
    }

    private static Outcome run(RunOptions o, BackendFactory backends, ByteArrayOutputStream out) throws RunException {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ByteArrayOutputStream messages = new ByteArrayOutputStream();
        RunIo io = new RunIo(new ByteArrayInputStream(new byte[0]), out, err, new PrintStream(messages, true), false, 0, 0);
        int status = new VmRun(o, io, backends).run();
        return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8),
                messages.toString(StandardCharsets.UTF_8));
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    /** A tree written on the host, and the "sha256  ./path" lines the guest must print for it. */
    private String hostTree(Path root) throws Exception {
        Files.createDirectories(root.resolve("a/b/c"));
        Files.createDirectories(root.resolve("empty-dir"));
        Map<String, Integer> files = Map.of("top.txt", 13, "a/one", 4096, "a/b/two", 1 << 20, "a/b/c/three", 3 * 1024 * 1024 + 17,
                "a/b/c/zero", 0);
        StringBuilder expect = new StringBuilder();
        for (String name : files.keySet().stream().sorted().toList()) {
            byte[] data = new byte[files.get(name)];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) (i * 131 + name.length() + i / 4093);
            }
            Files.write(root.resolve(name), data);
        }
        for (String name : files.keySet().stream().map(n -> "./" + n).sorted().toList()) {
            expect.append(sha256(Files.readAllBytes(root.resolve(name)))).append("  ").append(name).append('\n');
        }
        return expect.toString();
    }

    private static final String GUEST_SCRIPT = """
            set -e
            cd /mnt
            printf 'hello from the guest\\n' > g1
            test "$(cat g1)" = 'hello from the guest'
            dd if=/dev/zero bs=1024 count=300 2>/dev/null | tr '\\000' v > big
            test "$(wc -c < big)" -eq 307200
            mv g1 g2
            test ! -e g1
            mkdir -p gdir/sub
            echo nested > gdir/sub/n
            echo gone > todelete
            rm todelete
            test ! -e todelete
            mkdir rmdir-me && rmdir rmdir-me
            ln -s g2 link
            test "$(readlink link)" = g2
            echo appended >> g2
            cd /mnt/tree
            find . -type f | sort | while read f; do sha256sum "$f"; done
            echo tree-checked
            """;

    @ParameterizedTest(name = "{0}")
    @EnumSource(Machine.class)
    void theGuestCreatesWritesRenamesAndDeletesAndReadsTheHostsTree(Machine machine) throws Exception {
        Path share = Files.createDirectories(dir.resolve("share"));
        String expect = hostTree(share.resolve("tree"));
        Outcome o = run(RunOptions.of(List.of("sh", "-c", GUEST_SCRIPT)).withMachine(machine)
                        .withShares(List.of(new Share(share, "/mnt", false))),
                new DaemonBackends(List.of("--cache", "auto", "--thread-pool-size", "4")), new ByteArrayOutputStream());
        assertThat(o.status()).as(o.messages() + o.err()).isZero();
        assertThat(o.out()).isEqualTo(expect + "tree-checked\n");
        // What the guest wrote, seen on the host.
        assertThat(Files.readString(share.resolve("g2"))).isEqualTo("hello from the guest\nappended\n");
        assertThat(share.resolve("g1")).doesNotExist();
        assertThat(share.resolve("todelete")).doesNotExist();
        assertThat(share.resolve("rmdir-me")).doesNotExist();
        assertThat(Files.readString(share.resolve("gdir/sub/n"))).isEqualTo("nested\n");
        assertThat(Files.readString(share.resolve("big"))).isEqualTo("v".repeat(300 * 1024));
        assertThat(Files.readSymbolicLink(share.resolve("link"))).isEqualTo(Path.of("g2"));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Machine.class)
    void dataTheGuestSyncedSurvivesTheGuestBeingKilled(Machine machine) throws Exception {
        Path share = Files.createDirectories(dir.resolve("share"));
        String script = """
                dd if=/dev/urandom of=/mnt/durable bs=65536 count=24 conv=fsync 2>/dev/null || exit 1
                sha256sum /mnt/durable
                echo synced
                exec sleep 600
                """;
        Watched out = new Watched("synced\n");
        // The writeback cache keeps written data in the guest until fsync: what reaches the host
        // is what FSYNC pushed out.
        CompletableFuture<Outcome> vm = CompletableFuture.supplyAsync(() -> {
            try {
                return run(RunOptions.of(List.of("sh", "-c", script)).withMachine(machine)
                                .withShares(List.of(new Share(share, "/mnt", false))),
                        new DaemonBackends(List.of("--cache", "always", "--writeback")), out);
            } catch (RunException e) {
                return new Outcome(-1, out.toString(StandardCharsets.UTF_8), "", e.getMessage());
            }
        });
        assertThat(out.seen.await(240, TimeUnit.SECONDS)).as("the guest said synced: %s", out).isTrue();
        List<ProcessHandle> qemu;
        try (Stream<ProcessHandle> s = ProcessHandle.current().descendants()) {
            qemu = s.filter(p -> p.info().command().orElse("").endsWith("qemu-system-x86_64")).toList();
        }
        assertThat(qemu).hasSize(1);
        qemu.getFirst().destroyForcibly(); // kill -9: no shutdown, no unmount, no DESTROY
        Outcome o = vm.get(60, TimeUnit.SECONDS);
        assertThat(o.status()).as("a killed guest is no success").isNotZero();
        String guestSum = o.out().lines().findFirst().orElseThrow().split(" ")[0];
        byte[] onHost = Files.readAllBytes(share.resolve("durable"));
        assertThat(onHost).hasSize(24 * 65536);
        assertThat(sha256(onHost)).isEqualTo(guestSum);
    }

    /** Runs {@code script} in a q35 guest with {@code share} at /mnt, served by {@code vireo virtiofsd --cache auto} and {@code options}. */
    private static Outcome shareOnQ35(Path share, String script, List<String> options) throws RunException {
        List<String> args = new ArrayList<>(List.of("--cache", "auto"));
        args.addAll(options);
        return run(RunOptions.of(List.of("sh", "-c", script)).withMachine(Machine.Q35)
                .withShares(List.of(new Share(share, "/mnt", false))), new DaemonBackends(args), new ByteArrayOutputStream());
    }

    /**
     * {@code --allow-direct-io}: the guest's O_DIRECT reaches the host. Aligned direct writes and
     * reads (busybox dd) work either way; a direct write of 1,000 bytes is refused with EINVAL by
     * the host's file system only when the daemon opened the file with O_DIRECT, which is how the
     * guest can tell.
     */
    @ParameterizedTest(name = "allow-direct-io {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
    void theGuestsODirectReachesTheHostOnlyWhenAllowed(boolean allow) throws Exception {
        Path share = Files.createDirectories(dir.resolve("share"));
        String script = """
                set -e
                cd /mnt
                dd if=/dev/zero bs=4096 count=4 2>/dev/null | tr '\\000' d > pattern
                dd if=pattern of=direct bs=4096 count=4 oflag=direct 2>/dev/null
                dd if=direct of=copy bs=4096 iflag=direct 2>/dev/null
                cmp pattern copy
                if dd if=/dev/zero of=odd bs=1000 count=1 oflag=direct 2>/dev/null; then echo odd-written; else echo odd-refused; fi
                """;
        Outcome o = shareOnQ35(share, script, allow ? List.of("--allow-direct-io") : List.of());
        assertThat(o.status()).as(o.messages() + o.err()).isZero();
        assertThat(o.out()).isEqualTo(allow ? "odd-refused\n" : "odd-written\n");
        assertThat(Files.readString(share.resolve("direct"))).isEqualTo("d".repeat(4 * 4096));
    }

    /**
     * {@code --announce-submounts}: a tmpfs mounted inside the share on the host is a submount in
     * the guest (its own device number, a line in /proc/mounts); without the option it is part of
     * the share's one mount.
     */
    @ParameterizedTest(name = "announce-submounts {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
    void aHostMountPointIsASubmountInTheGuestOnlyWhenAnnounced(boolean announce) throws Exception {
        Requires.command("mount");
        Path share = Files.createDirectories(dir.resolve("share"));
        Path sub = Files.createDirectories(share.resolve("sub"));
        HostCommand.run("mount", "-t", "tmpfs", "-o", "size=1m", "vireo-test", sub.toString());
        try {
            Files.writeString(sub.resolve("inside"), "x");
            String script = """
                    cat /mnt/sub/inside; echo
                    if [ "$(stat -c %d /mnt)" != "$(stat -c %d /mnt/sub/inside)" ]; then echo apart; else echo together; fi
                    if grep -q ' /mnt/sub virtiofs ' /proc/mounts; then echo submount; else echo no-submount; fi
                    """;
            Outcome o = shareOnQ35(share, script, announce ? List.of("--announce-submounts") : List.of());
            assertThat(o.status()).as(o.messages() + o.err()).isZero();
            assertThat(o.out()).isEqualTo(announce ? "x\napart\nsubmount\n" : "x\ntogether\nno-submount\n");
        } finally {
            HostCommand.run("umount", sub.toString());
        }
    }

    /**
     * A request that blocks on the host does not hold up the guest's other requests. The host holds
     * a write lease on a file, so the daemon's open(2) of it waits until the lease is given back
     * (or the kernel's lease-break-time, 45 s, runs out). The guest's OPEN of that file is served
     * on the kick thread, off the ring, like any OPEN; the daemon's watcher overtakes it, and the
     * guest's next requests (LOOKUP, READDIR, CREATE, WRITE, READ...) are answered while the open
     * still waits: the lease is still being broken when the guest says so.
     */
    @Test
    void aRequestBlockedOnTheHostDoesNotHoldUpTheOthers() throws Exception {
        Path share = Files.createDirectories(dir.resolve("share"));
        Path leased = Files.writeString(share.resolve("leased"), "leased content\n");
        long inode = (Long) Files.getAttribute(leased, "unix:ino");
        String script = """
                cat /mnt/leased > /tmp/leased &
                sleep 2
                ls /mnt > /dev/null
                echo other > /mnt/other
                cat /mnt/other
                echo overtaken
                wait
                cat /tmp/leased
                """;
        Watched out = new Watched("overtaken\n");
        CompletableFuture<Outcome> vm;
        try (Fd lease = Fd.adopt(FsCalls.open(leased.toString(), FsCalls.O_RDONLY | FsCalls.O_CLOEXEC, 0), "leased file")) {
            // A lease break signals the holder, by default with SIGIO, which would end this JVM;
            // the JVM ignores SIGPIPE.
            FdCalls.fcntl(lease.num(), FdCalls.F_SETSIG, ThreadCalls.SIGPIPE);
            FdCalls.fcntl(lease.num(), FdCalls.F_SETLEASE, FdCalls.F_WRLCK);
            vm = CompletableFuture.supplyAsync(() -> {
                try {
                    return run(RunOptions.of(List.of("sh", "-c", script)).withMachine(Machine.Q35)
                                    .withShares(List.of(new Share(share, "/mnt", false))),
                            new DaemonBackends(List.of("--cache", "auto")), out);
                } catch (RunException e) {
                    return new Outcome(-1, out.toString(StandardCharsets.UTF_8), "", e.getMessage());
                }
            });
            assertThat(out.seen.await(240, TimeUnit.SECONDS)).as("the guest's other requests answered: %s", out).isTrue();
            // The daemon's open is still waiting: neither given back nor timed out.
            assertThat(leaseBreaking(inode)).as("the lease on the guest's file is being broken (/proc/locks)").isTrue();
            FdCalls.fcntl(lease.num(), FdCalls.F_SETLEASE, FdCalls.F_UNLCK);
        }
        Outcome o = vm.get(120, TimeUnit.SECONDS);
        assertThat(o.status()).as(o.messages() + o.err()).isZero();
        assertThat(o.out()).isEqualTo("other\novertaken\nleased content\n");
        assertThat(Files.readString(share.resolve("other"))).isEqualTo("other\n");
    }

    /** Whether /proc/locks shows a lease on the inode being broken ("LEASE  BREAKING  ... MAJ:MIN:INODE ..."). */
    private static boolean leaseBreaking(long inode) throws Exception {
        return Files.readAllLines(Path.of("/proc/locks")).stream()
                .anyMatch(l -> l.contains("LEASE") && l.contains("BREAKING") && l.matches(".* [0-9a-f]+:[0-9a-f]+:" + inode + " .*"));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Machine.class)
    void blockAndEntropyDaemonsServeTheGuest(Machine machine) throws Exception {
        Path img = BlockPattern.writableImage(dir.resolve("disk.img"));
        Path ro = BlockPattern.readOnlyImage(dir.resolve("ro.img"));
        String script = String.join("; ", BlockPattern.guestScript(),
                "cat /sys/class/misc/hw_random/rng_current",
                // 4 KiB of entropy does not compress
                "head -c 4096 /dev/hwrng | gzip -c | wc -c");
        Outcome o = run(RunOptions.of(List.of("sh", "-c", script)).withMachine(machine)
                        .withDisks(List.of(new Disk(img, false), new Disk(ro, true))),
                new BlockAndEntropyDaemons(), new ByteArrayOutputStream());
        assertThat(o.status()).as(o.messages() + o.err()).isZero();
        List<String> lines = o.out().lines().toList();
        assertThat(lines).contains(BlockPattern.GUEST_SAYS).doesNotContain("ro-written");
        assertThat(lines.get(lines.size() - 2)).startsWith("virtio_rng");
        assertThat(Integer.parseInt(lines.getLast().strip())).as("gzip of 4 KiB from /dev/hwrng").isGreaterThan(4096);
        BlockPattern.assertOnHost(img, ro, machine.toString());
    }
}
