package dev.vireo.vmm.run;

import dev.vireo.sys.testing.FdLeakCheck;
import dev.vireo.sys.testing.Requires;
import dev.vireo.vmm.backend.BackendFactory;
import dev.vireo.vmm.backend.Disk;
import dev.vireo.vmm.backend.Share;
import dev.vireo.vmm.qemu.Machine;
import dev.vireo.vmm.testing.BlockPattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code vireo run} end to end against real peers: Debian's cloud kernel booted by QEMU (TCG here),
 * shares, disks and entropy served by vireo's own devices in-process. Each test boots a guest
 * (about 3 s under TCG); the kernel and initramfs come from the cache after the first.
 */
@ExtendWith(FdLeakCheck.class)
// A guest that hangs must fail its test, not the whole build: the interrupt stops the VM.
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class VmRunTest {

    private record Outcome(int status, String out, String err, String messages) {
    }

    @BeforeEach
    void peers() {
        Requires.root();
        Requires.command("qemu-system-x86_64");
        Requires.command("apt-get");
    }

    @AfterEach
    void nothingLeftBehind() throws Exception {
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).map(p -> p.info().commandLine().orElse("?")))
                .as("child processes left running").isEmpty();
        assertThat(Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("vireo-") && n.endsWith("-backend") || n.startsWith("vireo-fs-")))
                .as("backend threads left running").isEmpty();
        String me = Long.toString(ProcessHandle.current().pid());
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertThat(s.filter(p -> p.getFileName().toString().startsWith("vireo-run-"))
                    .filter(p -> me.equals(readOrEmpty(p.resolve("owner.pid"))))).as("run directories left").isEmpty();
        }
    }

    private static String readOrEmpty(Path p) {
        try {
            return Files.readString(p).strip();
        } catch (Exception e) {
            return "";
        }
    }

    private static Outcome run(RunOptions o, byte[] stdin) throws RunException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ByteArrayOutputStream messages = new ByteArrayOutputStream();
        RunIo io = new RunIo(new ByteArrayInputStream(stdin), out, err, new PrintStream(messages, true), false, 0, 0);
        int status = new VmRun(o, io, BackendFactory.defaultFactory()).run();
        return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8),
                messages.toString(StandardCharsets.UTF_8));
    }

    private static Outcome run(String... command) throws RunException {
        return run(RunOptions.of(List.of(command)), new byte[0]);
    }

    @Test
    void echoHello() throws Exception {
        Outcome o = run("echo", "hello");
        assertThat(o.status()).as(o.messages()).isZero();
        assertThat(o.out()).isEqualTo("hello\n");
        assertThat(o.err()).isEmpty();
    }

    @Test
    void theCommandsStatusAndStreamsPassThrough() throws Exception {
        Outcome o = run("sh", "-c", "echo out; echo err >&2; exit 3");
        assertThat(o.status()).isEqualTo(3);
        assertThat(o.out()).isEqualTo("out\n");
        assertThat(o.err()).isEqualTo("err\n");
    }

    @Test
    void aMissingCommandGives127() throws Exception {
        Outcome o = run("no-such-command", "x");
        assertThat(o.status()).isEqualTo(127);
        assertThat(o.err()).contains("no-such-command");
    }

    @Test
    void stdinArrivesByteForByte() throws Exception {
        byte[] in = new byte[300_000];
        for (int i = 0; i < in.length; i++) {
            in[i] = (byte) (i * 7 + i / 256); // every byte value, ^C ^D ^Q ^S \r \n included, long "lines"
        }
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(in));
        Outcome o = run(RunOptions.of(List.of("sh", "-c", "sha256sum; wc -c < /dev/null")), in);
        assertThat(o.status()).as(o.messages() + o.err()).isZero();
        assertThat(o.out()).startsWith(sha + "  -\n");
    }

    @Test
    void sharesCarryFilesBothWaysWithOwnersAndModes(@TempDir Path dir) throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path fromHost = Files.writeString(dir.resolve("from-host"), "written on the host\n");
        Files.setPosixFilePermissions(fromHost, PosixFilePermissions.fromString("rw----r--"));
        Files.setAttribute(fromHost, "unix:uid", 42);
        Files.setAttribute(fromHost, "unix:gid", 43);

        RunOptions o = RunOptions.of(List.of("sh", "-c", """
                set -e
                pwd; id -u; id -g
                stat -c '%u %g %a' from-host
                cat from-host
                umask 027
                echo written in the guest > from-guest
                mkdir dir; chmod 0751 dir
                """)).withShares(List.of(new Share(dir, "/mnt", false))).withUser(1234, 4321);
        Outcome r = run(o, new byte[0]);
        assertThat(r.status()).as(r.messages() + r.err()).isZero();
        assertThat(r.out()).isEqualTo("/mnt\n1234\n4321\n42 43 604\nwritten on the host\n");

        Path fromGuest = dir.resolve("from-guest");
        assertThat(Files.readString(fromGuest)).isEqualTo("written in the guest\n");
        assertThat(Files.getAttribute(fromGuest, "unix:uid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(1234);
        assertThat(Files.getAttribute(fromGuest, "unix:gid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(4321);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(fromGuest))).isEqualTo("rw-r-----");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("dir")))).isEqualTo("rwxr-x--x");
    }

    @Test
    void aReadOnlyShareRefusesWritesEvenAfterARemount(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("kept"), "original\n");
        RunOptions o = RunOptions.of(List.of("sh", "-c", """
                cat /data/kept
                echo changed > /data/kept || echo refused
                mount -o remount,rw /data && echo remounted
                echo changed > /data/kept || echo refused again
                touch /data/new || echo refused a third time
                """)).withShares(List.of(new Share(dir, "/data", true)));
        Outcome r = run(o, new byte[0]);
        assertThat(r.out()).startsWith("original\nrefused\n").contains("refused again", "refused a third time");
        assertThat(r.err()).contains("Read-only file system");
        assertThat(Files.readString(dir.resolve("kept"))).isEqualTo("original\n");
        assertThat(dir.resolve("new")).doesNotExist();
    }

    @Test
    void twoCpus() throws Exception {
        Outcome o = run(RunOptions.of(List.of("nproc")).withCpus(2), new byte[0]);
        assertThat(o.out()).isEqualTo("2\n");
    }

    @Test
    void aDiskImageIsWrittenByTheGuest(@TempDir Path dir) throws Exception {
        Path img = Files.write(dir.resolve("disk.img"), new byte[8 << 20]);
        RunOptions o = RunOptions.of(List.of("sh", "-c", "printf 'vireo was here' | dd of=/dev/vda bs=512 conv=sync,fsync 2>/dev/null"))
                .withDisks(List.of(new Disk(img, false)));
        Outcome r = run(o, new byte[0]);
        assertThat(r.status()).as(r.messages() + r.err()).isZero();
        assertThat(new String(Files.readAllBytes(img), 0, 14, StandardCharsets.US_ASCII)).isEqualTo("vireo was here");
    }

    @Test
    void vireosBlockDeviceWritesAndReadsBackAPatternOnBothTransports(@TempDir Path dir) throws Exception {
        for (Machine machine : new Machine[] {Machine.MICROVM, Machine.Q35}) {
            Path img = BlockPattern.writableImage(dir.resolve("disk-" + machine + ".img"));
            Path ro = BlockPattern.readOnlyImage(dir.resolve("ro-" + machine + ".img"));
            RunOptions o = RunOptions.of(List.of("sh", "-c", BlockPattern.guestScript())).withMachine(machine)
                    .withDisks(List.of(new Disk(img, false), new Disk(ro, true)));
            Outcome r = run(o, new byte[0]);
            assertThat(r.status()).as(machine + ": " + r.messages() + r.err()).isZero();
            assertThat(r.out()).as(machine.toString()).contains(BlockPattern.GUEST_SAYS).doesNotContain("ro-written");
            BlockPattern.assertOnHost(img, ro, machine.toString());
        }
    }

    @Test
    void vireosEntropyDeviceFeedsHwrng() throws Exception {
        for (Machine machine : new Machine[] {Machine.MICROVM, Machine.Q35}) {
            // 4 KiB of entropy does not compress: gzip's output is larger than its input
            Outcome o = run(RunOptions.of(List.of("sh", "-c",
                    "cat /sys/class/misc/hw_random/rng_current; head -c 4096 /dev/hwrng | gzip -c | wc -c"))
                    .withMachine(machine), new byte[0]);
            assertThat(o.status()).as(machine + ": " + o.messages() + o.err()).isZero();
            String[] lines = o.out().strip().split("\n");
            assertThat(lines[0]).as(machine.toString()).startsWith("virtio_rng");
            assertThat(Integer.parseInt(lines[lines.length - 1].strip())).as("gzip of 4 KiB from /dev/hwrng").isGreaterThan(4096);
        }
    }

    @Test
    void aPanicEndsTheRunWithThePanicText() {
        assertThatThrownBy(() -> run("sh", "-c", "echo c > /proc/sysrq-trigger"))
                .isInstanceOfSatisfying(RunException.class, e -> assertThat(e.kind()).isEqualTo(RunException.Kind.GUEST_PANIC))
                .hasMessageContaining("Kernel panic - not syncing: sysrq triggered crash");
    }

    @Test
    void aTimeoutStopsTheVm() {
        long start = System.nanoTime();
        assertThatThrownBy(() -> run(RunOptions.of(List.of("sleep", "600")).withTimeout(Duration.ofSeconds(8)), new byte[0]))
                .isInstanceOfSatisfying(RunException.class, e -> assertThat(e.kind()).isEqualTo(RunException.Kind.TIMEOUT))
                .hasMessageContaining("8 s");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(60));
    }

    @Test
    void aGuestSetupErrorIsReported() {
        RunOptions o = new RunOptions(List.of("true"), List.of(), List.of(), 1, 512, null, List.of(), null, null, null,
                null, null, 0, 0, "/no/such/dir", List.of(), false, false, false);
        assertThatThrownBy(() -> run(o, new byte[0]))
                .isInstanceOfSatisfying(RunException.class, e -> assertThat(e.kind()).isEqualTo(RunException.Kind.FAILED))
                .hasMessageContaining("no directory /no/such/dir");
    }

    @Test
    void q35WithVirtioPci(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("f"), "over pci\n");
        Outcome o = run(RunOptions.of(List.of("cat", "/mnt/f")).withMachine(Machine.Q35)
                .withShares(List.of(new Share(dir, "/mnt", false))), new byte[0]);
        assertThat(o.status()).as(o.messages() + o.err()).isZero();
        assertThat(o.out()).isEqualTo("over pci\n");
    }

    @Test
    void aFileThatIsNoKernelIsRefusedBeforeBooting(@TempDir Path dir) throws Exception {
        Path notKernel = Files.writeString(dir.resolve("vmlinuz"), "#!/bin/sh\necho not a kernel\n");
        assertThatThrownBy(() -> run(RunOptions.of(List.of("true")).withKernel(notKernel, null), new byte[0]))
                .isInstanceOfSatisfying(RunException.class, e -> assertThat(e.kind()).isEqualTo(RunException.Kind.BAD_KERNEL))
                .hasMessageContaining("not a bzImage");
    }
}
