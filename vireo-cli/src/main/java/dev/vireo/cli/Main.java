package dev.vireo.cli;

import dev.vireo.sys.Log;
import dev.vireo.sys.SysException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
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
            "VIREO_DEBUG=fuse,virtio (or -Dvireo.debug=... in VIREO_JAVA_OPTS)."},
        subcommands = {RunCommand.class, MountCommand.class, SysInfoCommand.class, VhostUserBlkCommand.class,
            VhostUserRngCommand.class, VirtiofsdCommand.class, FsloadCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    private static final Log LOG = Log.of("cli");

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line (tests run it in-process). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main())
                .setExecutionExceptionHandler(Main::handle);
        // vireo run ls -la: everything from the command on is the command's, options included.
        cl.getSubcommands().get("run").setStopAtPositional(true);
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
