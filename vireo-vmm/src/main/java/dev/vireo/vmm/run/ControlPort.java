package dev.vireo.vmm.run;

import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * What arrives on the guest's control port (ttyS1): the kernel's console lines and vireo's
 * protocol lines ({@link GuestProtocol}). Keeps the last kernel lines for error messages, notices a
 * panic, and records the command's status. Fed by one reader thread; read by the run.
 */
final class ControlPort {

    private static final int KEEP_LINES = 200;
    private static final int MAX_LINE = 4096;

    private final GuestProtocol protocol;
    private final PrintStream echo;
    private final Deque<String> lines = new ArrayDeque<>();
    private final StringBuilder partial = new StringBuilder();
    private final CountDownLatch stdinReady = new CountDownLatch(1);
    private volatile Integer exitStatus;
    private volatile String setupError;
    private volatile boolean panicked;

    /** @param echo where to copy kernel lines as they come ({@code --verbose}), or null */
    ControlPort(GuestProtocol protocol, PrintStream echo) {
        this.protocol = protocol;
        this.echo = echo;
    }

    /** Takes the next bytes read from the port. */
    void accept(byte[] buf, int n) {
        for (int i = 0; i < n; i++) {
            char c = (char) (buf[i] & 0xff);
            if (c == '\n') {
                line(partial.toString());
                partial.setLength(0);
            } else if (c != '\r' && partial.length() < MAX_LINE) {
                partial.append(c);
            }
        }
    }

    /** The port closed: a last line without its end still counts. */
    void end() {
        if (!partial.isEmpty()) {
            line(partial.toString());
            partial.setLength(0);
        }
    }

    private void line(String line) {
        GuestProtocol.Event e = protocol.parse(line);
        switch (e) {
            case GuestProtocol.StdinReady r -> stdinReady.countDown();
            case GuestProtocol.Exit x -> exitStatus = x.status();
            case GuestProtocol.SetupError s -> setupError = s.message();
            case null -> kernelLine(line);
        }
    }

    private void kernelLine(String line) {
        if (line.isEmpty()) {
            return;
        }
        if (line.contains("Kernel panic - not syncing")) {
            panicked = true;
        }
        synchronized (lines) {
            lines.addLast(line);
            if (lines.size() > KEEP_LINES) {
                lines.removeFirst();
            }
        }
        if (echo != null) {
            echo.println(line);
            echo.flush();
        }
    }

    CountDownLatch stdinReady() {
        return stdinReady;
    }

    Integer exitStatus() {
        return exitStatus;
    }

    String setupError() {
        return setupError;
    }

    boolean panicked() {
        return panicked;
    }

    /** The kernel's last {@code n} lines. */
    List<String> lastLines(int n) {
        synchronized (lines) {
            List<String> all = new ArrayList<>(lines);
            return all.subList(Math.max(0, all.size() - n), all.size());
        }
    }

    /** The panic message and what the kernel printed just before it. */
    List<String> panicLines() {
        synchronized (lines) {
            List<String> all = new ArrayList<>(lines);
            int at = 0;
            for (int i = 0; i < all.size(); i++) {
                if (all.get(i).contains("Kernel panic - not syncing")) {
                    at = i;
                    break;
                }
            }
            return all.subList(Math.max(0, at - 10), Math.min(all.size(), at + 10));
        }
    }
}
