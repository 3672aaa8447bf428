package dev.vireo.vmm.run;

import java.util.List;

/**
 * The per-run configuration the guest's /init sources ({@code /vireo/run.conf}): shell
 * assignments, a {@code vireo_shares} function, and the command as positional parameters
 * ({@code set -- env -i NAME=VALUE ... COMMAND ARG ...}). Every value is single-quoted, so no
 * argument, path or variable can break out of its word.
 */
public final class RunConf {

    /** A share as /init mounts it. */
    public record Mount(String tag, String guestPath, boolean readOnly) {
    }

    /**
     * Everything /init needs to know about one run.
     *
     * @param nonce    the protocol nonce ({@link GuestProtocol})
     * @param tty      a terminal session (cooked tty on ttyS0) rather than framed stdin
     * @param uid      the command's user id
     * @param gid      the command's group id
     * @param workdir  its working directory
     * @param hostname the guest's host name
     * @param rows     terminal rows, or 0
     * @param cols     terminal columns, or 0
     * @param mounts   shares to mount, in order
     * @param env      the command's whole environment, NAME=VALUE
     * @param command  the command and its arguments
     */
    public record Config(String nonce, boolean tty, int uid, int gid, String workdir, String hostname, int rows, int cols,
                         List<Mount> mounts, List<String> env, List<String> command) {
        public Config {
            if (command.isEmpty()) {
                throw new IllegalArgumentException("no command");
            }
            mounts = List.copyOf(mounts);
            env = List.copyOf(env);
            command = List.copyOf(command);
        }
    }

    private RunConf() {
    }

    /** The text of run.conf. */
    public static String render(Config c) {
        StringBuilder s = new StringBuilder("# written by vireo run for this run only\n");
        s.append("VIREO_NONCE=").append(quote(c.nonce())).append('\n');
        s.append("VIREO_TTY=").append(c.tty() ? 1 : 0).append('\n');
        s.append("VIREO_UID=").append(Integer.toUnsignedString(c.uid())).append('\n');
        s.append("VIREO_GID=").append(Integer.toUnsignedString(c.gid())).append('\n');
        s.append("VIREO_WORKDIR=").append(quote(c.workdir())).append('\n');
        s.append("VIREO_HOSTNAME=").append(quote(c.hostname())).append('\n');
        s.append("VIREO_ROWS=").append(c.rows() > 0 ? Integer.toString(c.rows()) : "").append('\n');
        s.append("VIREO_COLS=").append(c.cols() > 0 ? Integer.toString(c.cols()) : "").append('\n');
        s.append("vireo_shares() {\n");
        for (Mount m : c.mounts()) {
            s.append("\tvireo_mount ").append(quote(m.tag())).append(' ').append(quote(m.guestPath()))
                    .append(' ').append(m.readOnly() ? "ro" : "rw").append('\n');
        }
        s.append("\t:\n}\n");
        s.append("set -- env -i");
        for (String e : c.env()) {
            if (e.indexOf('=') <= 0) {
                throw new IllegalArgumentException("environment entry without NAME=: " + e);
            }
            s.append(' ').append(quote(e));
        }
        for (String a : c.command()) {
            s.append(' ').append(quote(a));
        }
        s.append('\n');
        return s.toString();
    }

    /** A POSIX shell word that stands for exactly {@code s}. */
    static String quote(String s) {
        if (s.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a NUL byte cannot be passed to the guest: " + s.replace('\0', '?'));
        }
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
