package dev.vireo.vmm.run;

import dev.vireo.sys.RandomCalls;

/**
 * The lines the guest's /init writes on its control port (ttyS1), mixed with the kernel's console
 * output: {@code vireo:NONCE:stdin}, {@code vireo:NONCE:exit:N}, {@code vireo:NONCE:error:TEXT}.
 * The nonce is 128 random bits chosen per run and known only to /init; the command's own output
 * goes to other ports, so it can neither forge nor hide a status. Anything else on the port is the
 * kernel's log.
 */
public final class GuestProtocol {

    /** What a control-port line says. */
    public sealed interface Event {
    }

    /** The guest reads its stdin port from now on. */
    public record StdinReady() implements Event {
    }

    /** The command ended with {@code status} (0 to 255). */
    public record Exit(int status) implements Event {
    }

    /** /init could not set up the run. */
    public record SetupError(String message) implements Event {
    }

    private static final int MAX_MESSAGE = 1000;

    private final String prefix;

    public GuestProtocol(String nonce) {
        if (!nonce.matches("[0-9a-f]{32}")) {
            throw new IllegalArgumentException("nonce must be 32 hex digits");
        }
        this.prefix = "vireo:" + nonce + ":";
    }

    /** A fresh random nonce. */
    public static String newNonce() {
        return RandomCalls.hex(16);
    }

    /**
     * The event on {@code line} (one line of the port, without its end), or null when the line is
     * not a well-formed protocol line (kernel output, or a malformed one, which is never trusted).
     */
    public Event parse(String line) {
        int at = line.indexOf(prefix);
        if (at < 0) {
            return null;
        }
        String rest = line.substring(at + prefix.length()).strip();
        if (rest.equals("stdin")) {
            return new StdinReady();
        }
        if (rest.startsWith("exit:")) {
            String n = rest.substring(5);
            if (n.isEmpty() || n.length() > 3 || !n.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return null;
            }
            int status = Integer.parseInt(n);
            return status <= 255 ? new Exit(status) : null;
        }
        if (rest.startsWith("error:")) {
            String m = rest.substring(6);
            StringBuilder clean = new StringBuilder();
            for (int i = 0; i < m.length() && clean.length() < MAX_MESSAGE; i++) {
                char c = m.charAt(i);
                clean.append(c >= 0x20 && c != 0x7f ? c : '?');
            }
            return new SetupError(clean.toString());
        }
        return null;
    }
}
