package dev.vireo.cli;

import dev.vireo.sys.TermCalls;
import dev.vireo.vmm.backend.BackendFactory;
import dev.vireo.vmm.backend.Disk;
import dev.vireo.vmm.backend.Share;
import dev.vireo.vmm.host.HostIdentity;
import dev.vireo.vmm.qemu.Accel;
import dev.vireo.vmm.qemu.Machine;
import dev.vireo.vmm.run.RunException;
import dev.vireo.vmm.run.RunIo;
import dev.vireo.vmm.run.RunOptions;
import dev.vireo.vmm.run.VmRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code vireo run}: a command in a throw-away Linux VM, host directories shared over virtio-fs. */
@Command(name = "run",
        header = "Run a command in a throw-away Linux VM, sharing host directories.",
        mixinStandardHelpOptions = true,
        description = {
            "Runs COMMAND in a throw-away Linux VM and exits with its status. Host",
            "directories are shared over virtio-fs (--share); the command's stdin,",
            "stdout and stderr are the host's. Without a command: an interactive shell",
            "(Ctrl-] ends it from the host). The guest kernel (Debian's cloud kernel)",
            "and busybox are fetched on first use into ~/.cache/vireo.",
            "",
            "Exit status: the command's own; else 120 QEMU missing, 121 no usable",
            "kernel or initramfs, 122 bad --share/--disk, 123 guest kernel panic,",
            "124 timeout, 125 other failure, 130 interrupted. See docs/run.md."},
        footer = {"", "Example: vireo run --share . -- make test        (the current directory at /mnt)"})
public final class RunCommand implements Callable<Integer> {

    @Option(names = "--share", paramLabel = "HOST[:GUEST[:ro]]",
            description = "Share a host directory, mounted at GUEST (default /mnt, then /mnt1 ...); ro: read-only.")
    private List<String> shares = new ArrayList<>();

    @Option(names = "--disk", paramLabel = "FILE[,ro]", description = "Attach a raw disk image as /dev/vda, /dev/vdb ...")
    private List<String> disks = new ArrayList<>();

    @Option(names = "--cpus", defaultValue = "1", description = "vCPUs (default ${DEFAULT-VALUE}).")
    private int cpus;

    @Option(names = "--memory", defaultValue = "512M", paramLabel = "SIZE",
            description = "Guest RAM, e.g. 512M or 2G (default ${DEFAULT-VALUE}).")
    private String memory;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Stop the VM after this many seconds (exit 124).")
    private Integer timeout;

    @Option(names = "--append", paramLabel = "PARAMS", description = "Extra kernel command-line parameters.")
    private List<String> append = new ArrayList<>();

    @Option(names = "--accel", paramLabel = "kvm|tcg",
            description = "The accelerator (default: kvm with hardware virtualization, else tcg).")
    private String accel;

    @Option(names = "--machine", paramLabel = "microvm|q35",
            description = "The machine type (default: microvm when the kernel finds virtio-mmio devices in ACPI).")
    private String machine;

    @Option(names = "--kernel", paramLabel = "FILE", description = "Boot this bzImage instead of Debian's cloud kernel.")
    private Path kernel;

    @Option(names = "--modules", paramLabel = "DIR", description = "The module directory of --kernel (lib/modules/RELEASE).")
    private Path modules;

    @Option(names = "--busybox", paramLabel = "FILE", description = "A static busybox to use instead of Debian's busybox-static.")
    private Path busybox;

    @Option(names = "--user", paramLabel = "UID[:GID]", description = "Run the command as this user (default: yours).")
    private String user;

    @Option(names = {"-w", "--workdir"}, paramLabel = "DIR",
            description = "The command's directory in the guest (default: the first share's mount point, else /).")
    private String workdir;

    @Option(names = {"-e", "--env"}, paramLabel = "NAME=VALUE", description = "Set an environment variable for the command.")
    private List<String> env = new ArrayList<>();

    @Option(names = {"-t", "--tty"}, description = "Run the command on a terminal (the host's in raw mode).")
    private boolean tty;

    @Option(names = {"-v", "--verbose"}, description = "Say what vireo chose (kernel, machine, accelerator) and show the guest kernel's log.")
    private boolean verbose;

    @Option(names = "--refresh", description = "Ask apt for the newest kernel and busybox instead of the cached ones.")
    private boolean refresh;

    @Parameters(paramLabel = "COMMAND", description = "The command and its arguments (after --).")
    private List<String> command = new ArrayList<>();

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        PrintStream messages = System.err;
        RunOptions options;
        try {
            options = options();
        } catch (Share.BadShareException | Disk.BadDiskException e) {
            messages.println("vireo run: " + e.getMessage());
            return RunException.Kind.BAD_SHARE_OR_DISK.exitCode();
        } catch (IllegalArgumentException e) {
            // a malformed value: a usage error, exit 2 like picocli's own
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        // /proc first: a non-interactive run then makes no FFM call at all (see HostIdentity).
        boolean terminal = HostIdentity.isTerminal(0) && TermCalls.isatty(0);
        int[] size = terminal ? TermCalls.windowSize(0) : new int[] {0, 0};
        RunIo io = new RunIo(new FileInputStream(FileDescriptor.in), new FileOutputStream(FileDescriptor.out),
                new FileOutputStream(FileDescriptor.err), messages, terminal, size[0], size[1]);
        VmRun run = new VmRun(options, io, BackendFactory.defaultFactory());
        // SIGINT and SIGTERM run the JVM's shutdown hooks: stop QEMU and the backends, clean up.
        Thread hook = new Thread(run::abort, "vireo-run-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return run.run();
        } catch (RunException e) {
            messages.println("vireo run: " + e.getMessage());
            return e.exitCode();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down: the hook is running
            }
        }
    }

    private RunOptions options() throws Share.BadShareException, Disk.BadDiskException {
        List<Share> parsedShares = new ArrayList<>();
        for (int i = 0; i < shares.size(); i++) {
            parsedShares.add(Share.parse(shares.get(i), i == 0 ? "/mnt" : "/mnt" + i));
        }
        List<Disk> parsedDisks = new ArrayList<>();
        for (String d : disks) {
            parsedDisks.add(Disk.parse(d));
        }
        int uid = HostIdentity.uid();
        int gid = HostIdentity.gid();
        if (user != null) {
            String[] ug = user.split(":", 2);
            try {
                uid = Integer.parseUnsignedInt(ug[0]);
                gid = ug.length == 2 ? Integer.parseUnsignedInt(ug[1]) : uid;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--user " + user + ": expected numeric UID[:GID]");
            }
        }
        for (String e : env) {
            if (e.indexOf('=') <= 0) {
                throw new IllegalArgumentException("--env " + e + ": expected NAME=VALUE");
            }
        }
        if (timeout != null && timeout <= 0) {
            throw new IllegalArgumentException("--timeout must be a positive number of seconds");
        }
        return new RunOptions(command, parsedShares, parsedDisks, cpus, memoryMiB(memory),
                timeout == null ? null : Duration.ofSeconds(timeout), append,
                accel == null ? null : Accel.parse(accel), machine == null ? null : Machine.parse(machine),
                kernel, modules, busybox, uid, gid, workdir, env, tty, verbose, refresh);
    }

    /** "512", "512M", "2G" as MiB. */
    static long memoryMiB(String s) {
        String t = s.strip().toUpperCase(java.util.Locale.ROOT);
        long factor = 1;
        if (t.endsWith("G") || t.endsWith("GIB")) {
            factor = 1024;
            t = t.replaceAll("GIB$|G$", "");
        } else if (t.endsWith("M") || t.endsWith("MIB")) {
            t = t.replaceAll("MIB$|M$", "");
        }
        try {
            return Math.multiplyExact(Long.parseLong(t), factor);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("--memory " + s + ": expected a size such as 512M or 2G");
        }
    }
}
