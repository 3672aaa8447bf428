package dev.vireo.vmm.run;

import dev.vireo.sys.Log;
import dev.vireo.sys.RandomCalls;
import dev.vireo.sys.TermCalls;
import dev.vireo.vmm.backend.BackendFactory;
import dev.vireo.vmm.backend.Disk;
import dev.vireo.vmm.backend.Share;
import dev.vireo.vmm.backend.DeviceServer;
import dev.vireo.vmm.guest.Initramfs;
import dev.vireo.vmm.host.ChildProcess;
import dev.vireo.vmm.host.HostCommand;
import dev.vireo.vmm.host.HostPackages;
import dev.vireo.vmm.qemu.Accel;
import dev.vireo.vmm.qemu.AccelChoice;
import dev.vireo.vmm.qemu.QemuCommand;
import dev.vireo.vmm.qemu.VhostUserDevice;

import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One {@code vireo run}: prepares the guest, starts the vhost-user backends and QEMU, streams the
 * command's stdin, stdout and stderr, and returns the command's exit status, or throws a
 * {@link RunException} whose code says what went wrong. Whatever happens, and also when
 * {@link #abort} is called from a signal's shutdown hook, everything it started is stopped and its
 * run directory (sockets, the per-run initramfs) removed before {@link #run} returns.
 *
 * <p>Threads (platform threads, all blocking on sockets or streams): one per guest port (stdout,
 * stderr, control) and one forwarding stdin; the calling thread starts the children (so that
 * {@code setpriv --pdeathsig} ties them to it) and waits for QEMU.
 */
public final class VmRun {

    private static final Log LOG = Log.of("vmm");
    /** How long QEMU may take to power off after the command reported its status. */
    private static final long POWEROFF_GRACE_MS = 10_000;
    /** How long a panicked guest may take to restart (and so end QEMU) before vireo stops it. */
    private static final long PANIC_GRACE_MS = 5_000;
    /** Ctrl-] ends a terminal session from the host, like telnet's escape. */
    private static final byte ESCAPE = 0x1d;
    private static final int FRAME = 64 * 1024;
    /** The Debian package with qemu-system-x86_64 (it brings qemu-system-common: virtiofsd, qemu-storage-daemon). */
    private static final String QEMU_PACKAGE = "qemu-system-x86";
    private static final String RUN_DIR_PREFIX = "vireo-run-";
    private static final String OWNER = "owner.pid";

    private final RunOptions options;
    private final RunIo io;
    private final BackendFactory backends;
    private final List<DeviceServer> started = new ArrayList<>();
    private final List<ServerSocketChannel> servers = new ArrayList<>();
    private final List<Thread> pumps = new ArrayList<>();
    private final List<SocketChannel> ports = new ArrayList<>();
    private Path runDir;
    private ChildProcess qemu;
    private ControlPort control;
    private byte[] savedTerminal;
    private volatile boolean aborted;
    private volatile boolean escaped;
    private boolean closed;

    public VmRun(RunOptions options, RunIo io, BackendFactory backends) {
        this.options = options;
        this.io = io;
        this.backends = backends;
    }

    /** Runs the guest to the end; returns the command's exit status. */
    public int run() throws RunException {
        try {
            return runGuest();
        } finally {
            close();
            if (LOG.on()) {
                LOG.debug("run ended; this JVM used %s of CPU", ProcessHandle.current().info().totalCpuDuration().orElse(null));
            }
        }
    }

    /** Stops the run from another thread (SIGINT/SIGTERM): kills QEMU and the backends, cleans up. */
    public void abort() {
        aborted = true;
        close();
    }

    private int runGuest() throws RunException {
        Path qemuBinary = qemuBinary();
        var missing = backends.missing(!options.shares().isEmpty(), !options.disks().isEmpty());
        if (missing.isPresent()) {
            throw new RunException(RunException.Kind.QEMU_MISSING, missing.get());
        }
        boolean tty = options.tty() || options.command().isEmpty();
        try {
            sweepStale();
            runDir = createRunDir();
            Files.writeString(runDir.resolve(OWNER), Long.toString(ProcessHandle.current().pid()));
            String nonce = GuestProtocol.newNonce();
            control = new ControlPort(new GuestProtocol(nonce), options.verbose() ? io.messages() : null);

            // The backends start first and come up while the guest is prepared.
            List<RunConf.Mount> mounts = new ArrayList<>();
            List<VhostUserDevice> devices = new ArrayList<>();
            for (int i = 0; i < options.shares().size(); i++) {
                Share s = options.shares().get(i);
                String tag = "vireo-fs" + i;
                DeviceServer b = backends.share(s, tag, runDir.resolve("fs" + i + ".sock"));
                startBackend(b);
                devices.add(new VhostUserDevice("fs" + i, b.kind(), b.socket(), b.deviceProperties()));
                mounts.add(new RunConf.Mount(tag, s.guest(), s.readOnly()));
            }
            for (int i = 0; i < options.disks().size(); i++) {
                Disk d = options.disks().get(i);
                DeviceServer b = backends.disk(d, runDir.resolve("blk" + i + ".sock"));
                startBackend(b);
                devices.add(new VhostUserDevice("blk" + i, b.kind(), b.socket(), b.deviceProperties()));
            }
            var rng = backends.entropy(runDir.resolve("rng.sock"));
            if (rng.isPresent()) {
                startBackend(rng.get());
                devices.add(new VhostUserDevice("rng0", rng.get().kind(), rng.get().socket(), rng.get().deviceProperties()));
            }

            // The guest gets the drivers of exactly the devices it has (an entropy device only when
            // the factory has one).
            Set<VhostUserDevice.Kind> kinds = EnumSet.noneOf(VhostUserDevice.Kind.class);
            for (VhostUserDevice d : devices) {
                kinds.add(d.kind());
            }
            LOG.debug("preparing the guest");
            GuestImage guest = GuestImage.prepare(options, kinds, io.messages()::println);
            LOG.debug("guest ready: %s", guest.initramfs());
            AccelChoice accel = options.accel() != null ? AccelChoice.given(options.accel()) : AccelChoice.forThisHost();
            if (options.verbose()) {
                say("kernel: " + guest.kernel().origin() + " (" + guest.kernel().header().release() + ", boot protocol "
                        + guest.kernel().header().protocolString() + ")");
                say("machine: " + guest.machine().qemuName() + "; modules: " + (guest.modules().isEmpty() ? "none" : String.join(" ", guest.modules())));
                say("initramfs: " + guest.initramfs());
                say("accelerator: " + accel.reason());
                say("backends: " + backends.describe());
            }

            Path initrd = runDir.resolve("initrd.img");
            Initramfs.forRun(guest.initramfs(), Initramfs.runArchive(RunConf.render(runConf(nonce, tty, mounts))), initrd);

            for (DeviceServer b : started) {
                b.awaitReady();
            }
            ServerSocketChannel con = listen(runDir.resolve("con.sock"));
            ServerSocketChannel ctl = listen(runDir.resolve("ctl.sock"));
            ServerSocketChannel err = listen(runDir.resolve("err.sock"));

            // panic=-1: restart at once after a panic; reboot=t: by a triple fault, which QEMU turns into
            // a reset and -no-reboot into an exit (microvm has no keyboard controller or reset register
            // for the kernel's other restart methods, which can then spin).
            List<String> append = new ArrayList<>(List.of("console=ttyS1", "panic=-1", "reboot=t"));
            if (!options.verbose()) {
                append.add("quiet");
            }
            if (accel.accel() == Accel.TCG) {
                append.addAll(AccelChoice.tcgKernelParameters(AccelChoice.cpuinfo()));
            }
            append.addAll(options.append());
            List<String> command = QemuCommand.of(new QemuCommand.Spec(qemuBinary, "vireo-" + nonce.substring(0, 8),
                    guest.machine(), accel.accel(), options.cpus(), options.memoryMiB(), guest.kernel().image(), initrd,
                    String.join(" ", append), runDir.resolve("con.sock"), runDir.resolve("ctl.sock"),
                    runDir.resolve("err.sock"), devices));
            if (options.verbose()) {
                say("qemu: " + String.join(" ", command));
            }

            if (tty && io.terminal()) {
                rawTerminal();
            }
            startPump("vireo-stdout", () -> {
                SocketChannel port = accept(con);
                // ttyS0 also carries stdin
                Thread.ofPlatform().daemon().name("vireo-stdin").start(() -> forwardStdin(port, tty));
                copyOut(port, io.out());
            });
            startPump("vireo-stderr", () -> copyOut(accept(err), io.err()));
            startPump("vireo-control", () -> readControl(accept(ctl)));
            if (!startQemu(command)) {
                return RunException.INTERRUPTED;
            }
            return await();
        } catch (java.io.InterruptedIOException e) {
            return RunException.INTERRUPTED;
        } catch (IOException e) {
            throw new RunException(RunException.Kind.FAILED, "vireo run failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return RunException.INTERRUPTED;
        }
    }

    /** qemu-system-x86_64 from $VIREO_QEMU, else the PATH; installed first when missing and allowed. */
    private Path qemuBinary() throws RunException {
        String override = System.getenv("VIREO_QEMU");
        if (override != null && !override.isBlank()) {
            Path p = Path.of(override);
            if (!Files.isExecutable(p) || Files.isDirectory(p)) {
                throw new RunException(RunException.Kind.QEMU_MISSING, "VIREO_QEMU=" + override + " is not an executable");
            }
            return p;
        }
        Path p = HostCommand.find("qemu-system-x86_64");
        if (p == null && HostPackages.installAllowed()) {
            try {
                HostPackages.install(QEMU_PACKAGE, io.messages()::println);
            } catch (IOException e) {
                LOG.debug("installing %s: %s", QEMU_PACKAGE, e);
            }
            p = HostCommand.find("qemu-system-x86_64");
        }
        if (p == null) {
            throw new RunException(RunException.Kind.QEMU_MISSING,
                    "QEMU is not installed; install it with: apt-get install " + QEMU_PACKAGE);
        }
        return p;
    }

    private RunConf.Config runConf(String nonce, boolean tty, List<RunConf.Mount> mounts) {
        List<String> command = options.command().isEmpty() ? List.of("/bin/sh", "-l") : options.command();
        String workdir = options.workdir() != null ? options.workdir()
                : options.shares().isEmpty() ? "/" : options.shares().getFirst().guest();
        List<String> env = new ArrayList<>();
        env.add("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        env.add("HOME=" + (options.uid() == 0 ? "/root" : "/tmp"));
        String term = System.getenv("TERM");
        env.add("TERM=" + (tty && term != null && !term.isBlank() ? term : tty ? "linux" : "dumb"));
        env.addAll(options.env());
        return new RunConf.Config(nonce, tty, options.uid(), options.gid(), workdir, "vireo", io.rows(), io.cols(),
                mounts, env, command);
    }

    /** Waits for QEMU to end (or the timeout, or an abort) and turns what happened into a status. */
    private int await() throws InterruptedException, RunException {
        long start = System.nanoTime();
        long deadline = options.timeout() == null ? Long.MAX_VALUE : start + options.timeout().toNanos();
        long statusSeenAt = 0;
        long panicSeenAt = 0;
        while (!qemu.waitFor(10)) {
            long now = System.nanoTime();
            if (aborted || escaped) {
                break;
            }
            if (control.panicked()) {
                // The guest restarts itself after a panic; should that hang, it is stopped here.
                if (panicSeenAt == 0) {
                    panicSeenAt = now;
                } else if (now - panicSeenAt > TimeUnit.MILLISECONDS.toNanos(PANIC_GRACE_MS)) {
                    LOG.debug("the guest panicked and did not restart; stopping QEMU");
                    break;
                }
            }
            if (now - deadline > 0) {
                stopGuest();
                throw new RunException(RunException.Kind.TIMEOUT, "the run did not end within "
                        + options.timeout().toSeconds() + " s (--timeout); the VM was stopped" + lastLines(control.lastLines(5)));
            }
            if (control.exitStatus() != null) {
                if (statusSeenAt == 0) {
                    statusSeenAt = now;
                } else if (now - statusSeenAt > TimeUnit.MILLISECONDS.toNanos(POWEROFF_GRACE_MS)) {
                    LOG.warn("the guest reported its status but did not power off; stopping QEMU");
                    break;
                }
            }
        }
        LOG.debug("QEMU ended");
        stopGuest();
        // The ports reach end-of-file once QEMU is gone; the last output is in flight until then.
        for (Thread t : pumps) {
            t.join(2000);
        }
        if (aborted) {
            return RunException.INTERRUPTED;
        }
        if (escaped) {
            say("ended with Ctrl-]");
            return RunException.INTERRUPTED;
        }
        Integer status = control.exitStatus();
        if (status != null) {
            return status;
        }
        if (control.setupError() != null) {
            throw new RunException(RunException.Kind.FAILED, "the guest could not set up the run: " + control.setupError()
                    + lastLines(control.lastLines(10)));
        }
        if (control.panicked()) {
            throw new RunException(RunException.Kind.GUEST_PANIC, "the guest kernel panicked:\n  "
                    + String.join("\n  ", control.panicLines()));
        }
        StringBuilder why = new StringBuilder("the guest stopped without reporting the command's status");
        int code = qemu.exitValue();
        String qemuErr = qemu.stderr().strip();
        if (code != 0 || !qemuErr.isEmpty()) {
            why.append("; QEMU exited with ").append(code).append(qemuErr.isEmpty() ? "" : ": " + qemuErr);
        }
        for (DeviceServer b : started) {
            if (!b.alive()) {
                why.append("; the backend ").append(b.describe()).append(" stopped: ").append(b.diagnostics());
            }
        }
        throw new RunException(RunException.Kind.FAILED, why + lastLines(control.lastLines(15)));
    }

    /**
     * A new directory only this user can enter, in java.io.tmpdir, with an unguessable name:
     * what Files.createTempDirectory makes, without its SecureRandom (see RandomCalls.hex).
     * mkdir never follows a link, so a name someone made first is only skipped.
     */
    private static Path createRunDir() throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        for (int attempt = 1; ; attempt++) {
            try {
                return Files.createDirectory(tmp.resolve(RUN_DIR_PREFIX + RandomCalls.hex(8)),
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (FileAlreadyExistsException e) {
                if (attempt == 10) {
                    throw e;
                }
            }
        }
    }

    /**
     * Removes the run directories of vireo processes that are gone: a vireo killed with SIGKILL
     * cannot clean up (its children die with it, through --pdeathsig, but its directory stays).
     */
    static void sweepStale() {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (Stream<Path> dirs = Files.list(tmp)) {
            for (Path d : dirs.filter(p -> p.getFileName().toString().startsWith(RUN_DIR_PREFIX)).toList()) {
                Path owner = d.resolve(OWNER);
                try {
                    long pid = Long.parseLong(Files.readString(owner).strip());
                    if (ProcessHandle.of(pid).isEmpty()) {
                        LOG.debug("removing %s, left by vireo process %d", d, pid);
                        deleteTree(d);
                    }
                } catch (IOException | NumberFormatException e) {
                    // not ours, or being created right now: leave it
                }
            }
        } catch (IOException e) {
            LOG.debug("cannot list %s: %s", tmp, e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static String lastLines(List<String> lines) {
        return lines.isEmpty() ? "" : "\nthe guest kernel's last lines:\n  " + String.join("\n  ", lines);
    }

    /** Starts a backend unless the run was aborted meanwhile (close() then owns nothing new). */
    private synchronized void startBackend(DeviceServer b) throws IOException {
        if (closed) {
            throw new java.io.InterruptedIOException("the run was stopped");
        }
        started.add(b);
        if (options.verbose()) {
            say("starting " + b.describe());
        }
        b.start();
    }

    private synchronized boolean startQemu(List<String> command) throws IOException {
        if (closed) {
            return false;
        }
        qemu = ChildProcess.start("qemu", command);
        backends.qemuStarted();
        return true;
    }

    private synchronized void rawTerminal() {
        if (!closed) {
            savedTerminal = TermCalls.tcgetattr(0);
            TermCalls.tcsetattr(0, TermCalls.TCSANOW, TermCalls.raw(savedTerminal));
        }
    }

    private ServerSocketChannel listen(Path socket) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        servers.add(s);
        s.bind(UnixDomainSocketAddress.of(socket));
        return s;
    }

    private SocketChannel accept(ServerSocketChannel server) throws IOException {
        SocketChannel c = server.accept();
        server.close();
        synchronized (ports) {
            ports.add(c);
        }
        return c;
    }

    private interface Pump {
        void run() throws IOException, InterruptedException;
    }

    private void startPump(String name, Pump body) {
        Thread t = Thread.ofPlatform().daemon().name(name).unstarted(() -> {
            try {
                body.run();
            } catch (IOException e) {
                LOG.debug("%s ended: %s", name, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        pumps.add(t);
        t.start();
    }

    /** Copies a guest output port to {@code out} until QEMU closes it. */
    private static void copyOut(SocketChannel port, OutputStream out) throws IOException {
        try (port) {
            ByteBuffer buf = ByteBuffer.allocate(FRAME);
            while (port.read(buf) > 0) {
                out.write(buf.array(), 0, buf.position());
                out.flush();
                buf.clear();
            }
        }
    }

    private void readControl(SocketChannel port) throws IOException {
        try (port) {
            ByteBuffer buf = ByteBuffer.allocate(8192);
            while (port.read(buf) > 0) {
                control.accept(buf.array(), buf.position());
                buf.clear();
            }
        } finally {
            control.end();
        }
    }

    /**
     * Forwards the host's stdin once the guest reads its port: framed ("COUNT\n" then the bytes; 0
     * ends the input) for a command, raw keystrokes for a terminal session (end of input is Ctrl-D,
     * the tty's EOF character).
     */
    private void forwardStdin(SocketChannel port, boolean tty) {
        try {
            control.stdinReady().await();
            byte[] buf = new byte[FRAME];
            int n;
            while ((n = io.in().read(buf)) > 0) {
                if (tty) {
                    for (int i = 0; i < n; i++) {
                        if (buf[i] == ESCAPE) {
                            escaped = true;
                            stopGuest();
                            return;
                        }
                    }
                    writeFully(port, ByteBuffer.wrap(buf, 0, n));
                } else {
                    writeFully(port, ByteBuffer.wrap((n + "\n").getBytes(StandardCharsets.US_ASCII)));
                    writeFully(port, ByteBuffer.wrap(buf, 0, n));
                }
            }
            writeFully(port, ByteBuffer.wrap(tty ? new byte[] {4} : "0\n".getBytes(StandardCharsets.US_ASCII)));
        } catch (IOException e) {
            LOG.debug("stdin forwarding ended: %s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void writeFully(SocketChannel c, ByteBuffer b) throws IOException {
        synchronized (c) {
            while (b.hasRemaining()) {
                c.write(b);
            }
        }
    }

    private synchronized void stopGuest() {
        if (qemu != null) {
            qemu.close();
        }
    }

    private static void closeQuietly(java.nio.channels.Channel c) {
        try {
            c.close();
        } catch (IOException e) {
            LOG.debug("closing a port: %s", e);
        }
    }

    private void say(String line) {
        io.messages().println("vireo: " + line);
        io.messages().flush();
    }

    /** Stops QEMU, then the backends; closes the ports; restores the terminal; removes the run directory. */
    private synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (qemu != null) {
            qemu.close();
        }
        for (DeviceServer b : started.reversed()) {
            b.close();
        }
        for (ServerSocketChannel s : servers) {
            closeQuietly(s);
        }
        synchronized (ports) {
            for (SocketChannel c : ports) {
                closeQuietly(c);
            }
        }
        for (Thread t : pumps) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (savedTerminal != null) {
            TermCalls.tcsetattr(0, TermCalls.TCSADRAIN, savedTerminal);
        }
        if (runDir != null) {
            try {
                deleteTree(runDir);
            } catch (IOException e) {
                LOG.warn("could not remove %s: %s", runDir, e.getMessage());
            }
        }
        LOG.debug("cleaned up");
    }
}
