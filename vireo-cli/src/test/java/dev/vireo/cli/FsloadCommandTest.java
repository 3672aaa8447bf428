package dev.vireo.cli;

import dev.vireo.sys.testing.FdLeakCheck;
import dev.vireo.sys.testing.Requires;
import dev.vireo.vhost.fsclient.DataPattern;
import dev.vireo.vhost.fsclient.FsLoad;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code vireo fsload} against its real peer, the C virtiofsd of Debian's QEMU
 * ({@code /usr/lib/qemu/virtiofsd}, run as root): every workload briefly, at depths 1 and 4, with
 * the results checked on the host. The daemon serves one front-end and exits, so each fsload run
 * gets a fresh daemon on the same shared directory. No timing assertions.
 */
@ExtendWith(FdLeakCheck.class)
class FsloadCommandTest {

    private static final String VIRTIOFSD = "/usr/lib/qemu/virtiofsd";

    @TempDir
    Path dir;
    Path share;

    private record Run(int status, String out, String err) {
    }

    @BeforeEach
    void setUp() throws IOException {
        Requires.root();
        Requires.file(VIRTIOFSD, "the C virtiofsd (Debian package qemu-system-common)");
        share = Files.createDirectory(dir.resolve("share"));
    }

    /** The daemon under test: Debian's C virtiofsd in its own process, or vireo's, in this JVM. */
    private enum Daemon { C, VIREO }

    /** Starts the C daemon on {@code share}, runs fsload with {@code args} against it, waits for both. */
    private Run fsload(String... args) throws Exception {
        return fsload(Daemon.C, args);
    }

    private Run fsload(Daemon which, String... args) throws Exception {
        Path socket = dir.resolve("fs.sock");
        Files.deleteIfExists(socket);
        Process daemon = null;
        CompletableFuture<Integer> vireo = null;
        if (which == Daemon.C) {
            daemon = new ProcessBuilder(VIRTIOFSD, "--socket-path=" + socket, "-o", "source=" + share, "-o", "cache=auto")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("virtiofsd.log").toFile()).start();
        } else {
            vireo = CompletableFuture.supplyAsync(() -> Main.commandLine().execute("virtiofsd", "--socket-path",
                    socket.toString(), "--shared-dir", share.toString(), "--cache", "auto", "--thread-pool-size", "2"));
        }
        try {
            for (int i = 0; i < 500 && !Files.exists(socket); i++) {
                Thread.sleep(10);
            }
            assertThat(socket).as(which + " virtiofsd's socket").exists();
            List<String> argv = new ArrayList<>(List.of("fsload", "--socket-path", socket.toString()));
            argv.addAll(List.of(args));
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine cmd = Main.commandLine();
            cmd.setOut(new PrintWriter(out));
            cmd.setErr(new PrintWriter(err));
            int status = cmd.execute(argv.toArray(String[]::new));
            if (daemon != null) {
                assertThat(daemon.waitFor(10, TimeUnit.SECONDS)).as("virtiofsd exits when its front-end leaves").isTrue();
            } else {
                assertThat(vireo.get(10, TimeUnit.SECONDS)).as("vireo virtiofsd exits with 0 when its front-end leaves").isZero();
            }
            return new Run(status, out.toString(), err.toString());
        } finally {
            if (daemon != null) {
                daemon.destroyForcibly();
                daemon.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** The TSV lines of one label: {workload, depth, ops, ..., cpu_us/op}. */
    private static List<String[]> rows(Run r, String label) {
        return r.out().lines().map(l -> l.split("\t")).filter(f -> f[0].equals(label)).toList();
    }

    private static void assertPattern(Path file, long size) throws IOException {
        assertThat(Files.size(file)).isEqualTo(size);
        byte[] content = Files.readAllBytes(file);
        assertThat(DataPattern.verify(MemorySegment.ofArray(content), 0, content.length)).as(file + ": first wrong byte").isEqualTo(-1);
    }

    @Test
    void everyWorkloadRunsAndTheHostSeesWhatItDid() throws Exception {
        everyWorkloadAgainst(Daemon.C);
    }

    @Test
    void everyWorkloadRunsAgainstVireosOwnDaemon() throws Exception {
        everyWorkloadAgainst(Daemon.VIREO);
    }

    private void everyWorkloadAgainst(Daemon which) throws Exception {
        Run r = fsload(which, "--workload", "all", "--depth", "1,4", "--ops", "120", "--file-size", "4", "--verify", "--native-dir",
                share.toString(), "--tsv");
        assertThat(r.status()).as(r.err()).isZero();
        List<String[]> daemon = rows(r, "daemon1");
        assertThat(daemon).hasSize(FsLoad.Workload.values().length * 2);
        for (String[] f : daemon) {
            assertThat(Long.parseLong(f[3])).as("ops of " + String.join(" ", f)).isEqualTo(120);
            assertThat(Double.parseDouble(f[9])).as("daemon CPU per op is measured: " + String.join(" ", f)).isGreaterThanOrEqualTo(0);
        }
        assertThat(daemon.stream().map(f -> f[1] + "@" + f[2]).toList())
                .containsExactly("lookup@1", "lookup@4", "read4k@1", "read4k@4", "read1m@1", "read1m@4", "write1m@1", "write1m@4",
                        "create@1", "create@4");
        for (String[] f : daemon) {
            double mib = Double.parseDouble(f[6]);
            if (f[1].startsWith("read") || f[1].startsWith("write")) {
                assertThat(mib).as("MiB/s of " + f[1]).isPositive();
            } else {
                assertThat(mib).isZero();
            }
        }
        assertThat(rows(r, "native")).hasSize(10);

        // The read file was written through FUSE and holds the pattern on the host; the write
        // workload (120 sequential MiB wrapping at 4 MiB, fsynced) left the pattern in its file.
        assertPattern(share.resolve(FsLoad.DATA_FILE), 4 << 20);
        // The writes wrap where the next one would pass 4 MiB: with a daemon whose max_write is
        // below 1 MiB (vireo's is capped by the queue size: 496 KiB) the file ends short of 4 MiB.
        long written = Files.size(share.resolve(FsLoad.WRITE_FILE));
        assertThat(written).as("write file size").isBetween(3L << 20, 4L << 20);
        assertPattern(share.resolve(FsLoad.WRITE_FILE), written);
        try (Stream<Path> files = Files.list(share)) {
            List<String> names = files.map(p -> p.getFileName().toString()).toList();
            assertThat(names.stream().filter(n -> n.startsWith("fsload-lookup-"))).hasSize(FsLoad.LOOKUP_FILES);
            assertThat(names.stream().filter(n -> n.startsWith("fsload-create-") || n.startsWith("fsload-native-")))
                    .as("the create storms unlinked what they created").isEmpty();
        }
    }

    @Test
    void aSecondSessionReusesOrRecreatesTheFiles() throws Exception {
        for (int i = 0; i < 2; i++) {
            // The second session waits like a vCPU thread that sleeps at once (the first polls, the default).
            Run r = fsload("--workload", "all", "--ops", "20", "--file-size", "2", "--verify", "--tsv", "--halt-poll-us", i == 0 ? "200" : "0");
            assertThat(r.status()).as("session " + i + ": " + r.err()).isZero();
        }
        assertPattern(share.resolve(FsLoad.DATA_FILE), 2 << 20);
        // A data file of another size is written again.
        Run r = fsload("--workload", "read4k", "--ops", "20", "--file-size", "3", "--verify", "--tsv");
        assertThat(r.status()).as(r.err()).isZero();
        assertPattern(share.resolve(FsLoad.DATA_FILE), 3 << 20);
    }

    @Test
    void createdFilesAppearOnTheHost() throws Exception {
        Run r = fsload("--workload", "create", "--depth", "8", "--ops", "50", "--keep-created", "--tsv");
        assertThat(r.status()).as(r.err()).isZero();
        try (Stream<Path> files = Files.list(share)) {
            List<Path> created = files.filter(p -> p.getFileName().toString().startsWith("fsload-create-")).toList();
            assertThat(created).hasSize(50);
            for (Path p : created) {
                assertThat(Files.isRegularFile(p)).isTrue();
                assertThat(Files.size(p)).isZero();
            }
        }
    }

    @Test
    void dataChangedOnTheHostIsCaughtByVerify() throws Exception {
        assertThat(fsload("--workload", "read1m", "--ops", "4", "--file-size", "2", "--verify", "--tsv").status()).isZero();
        // One byte changed on the host in the second MiB: the daemon reads it from the file, verify sees it.
        try (FileChannel ch = FileChannel.open(share.resolve(FsLoad.DATA_FILE), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {0x55}), (1 << 20) + 5000);
        }
        Run r = fsload("--workload", "read1m", "--ops", "4", "--file-size", "2", "--verify", "--tsv");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("wrong data at file offset " + ((1 << 20) + 5000));
    }

    @Test
    void theDaemonIsFoundBehindItsSocket() throws Exception {
        Run r = fsload("--workload", "lookup", "--ops", "10");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("daemon1: .*fs\\.sock, pid \\d+ \\(" + VIRTIOFSD + "\\): FUSE 7\\.\\d+");
    }

    @Test
    void badArgumentsAreRefused() throws Exception {
        StringWriter err = new StringWriter();
        CommandLine cmd = Main.commandLine();
        cmd.setErr(new PrintWriter(err));
        assertThat(cmd.execute("fsload", "--workload", "stat")).isEqualTo(1);
        assertThat(err.toString()).contains("--socket-path");
        assertThat(cmd.execute("fsload", "--socket-path", "x", "--workload", "stat")).isEqualTo(1);
        assertThat(cmd.execute("fsload", "--socket-path", "x", "--halt-poll-us", "-1")).isEqualTo(1);
        assertThat(err.toString()).contains("--halt-poll-us must be between 0 and 1000000");
        assertThat(err.toString()).contains("unknown workload stat");
        assertThat(cmd.execute("fsload", "--socket-path", "x", "--depth", "0")).isEqualTo(1);
        assertThat(err.toString()).contains("--depth must be between 1 and 256");
    }
}
