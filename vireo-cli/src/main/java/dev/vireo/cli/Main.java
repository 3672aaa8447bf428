package dev.vireo.cli;

import dev.vireo.sys.Log;
import dev.vireo.sys.SysException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Properties;

/** The {@code vireo} command: one entry point, one subcommand per face. */
@Command(name = "vireo",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {
            "Lightweight virtual machines for the JVM, in pure Java.",
            "",
            "Run a command in a throw-away Linux VM whose virtio devices are vireo's, serve a directory",
            "over FUSE, or act as a virtio-fs daemon for QEMU. Debug output per area:",
            "VIREO_DEBUG=fuse,virtio (or -Dvireo.debug=... in VIREO_JAVA_OPTS)."})
public final class Main implements Runnable {

    private static final Log LOG = Log.of("cli");

    /**
     * The subcommands, in the order {@code vireo --help} lists them. They are added when the
     * command line is built rather than named in {@code @Command}, so that {@link #main} can build
     * only the one it runs: picocli reflects over every option of every subcommand it is given
     * (about 0.2 s of a JVM's start on this 2-core machine for the seven of them).
     */
    private static final List<Class<?>> SUBCOMMANDS = List.of(RunCommand.class, MountCommand.class, SysInfoCommand.class,
            VhostUserBlkCommand.class, VhostUserRngCommand.class, VirtiofsdCommand.class, FsloadCommand.class,
            CommandLine.HelpCommand.class);

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine(args.length > 0 ? args[0] : "").execute(args));
    }

    /** The configured command line with every subcommand (tests run it in-process). */
    public static CommandLine commandLine() {
        return commandLine("");
    }

    /**
     * The configured command line with only the subcommand named {@code first} when that is one
     * (what {@code vireo run ...} needs), else with all of them (top-level help, an unknown word).
     */
    static CommandLine commandLine(String first) {
        CommandLine cl = new CommandLine(new Main())
                .setExecutionExceptionHandler(Main::handle);
        Class<?> only = SUBCOMMANDS.stream()
                .filter(c -> c != CommandLine.HelpCommand.class && c.getAnnotation(Command.class).name().equals(first))
                .findFirst().orElse(null);
        for (Class<?> c : SUBCOMMANDS) {
            if (only == null || c == only) {
                cl.addSubcommand(c);
            }
        }
        CommandLine run = cl.getSubcommands().get("run");
        if (run != null) {
            // vireo run ls -la: everything from the command on is the command's, options included.
            run.setStopAtPositional(true);
        }
        return cl;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** System-call failures and bad arguments become one line on stderr and exit status 1. */
    private static int handle(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        if (e instanceof SysException || e instanceof IllegalArgumentException || e instanceof IllegalStateException
                || e instanceof UncheckedIOException) {
            cmd.getErr().println("vireo " + cmd.getCommandName() + ": " + e.getMessage());
            if (LOG.on()) {
                e.printStackTrace(cmd.getErr());
            }
            return 1;
        }
        throw new RuntimeException(e);
    }

    /** Reads the version Maven wrote into version.properties. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"vireo " + version(), "JDK " + Runtime.version() + " (" + System.getProperty("java.vm.vendor") + ")"};
        }
    }

    /** vireo's version, e.g. "0.1.0-SNAPSHOT". */
    public static String version() {
        try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
