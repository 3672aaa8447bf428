package dev.vireo.vmm.run;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;

/**
 * Where a run's streams go: the command's stdin, stdout and stderr, and vireo's own messages.
 *
 * @param in       the command's stdin
 * @param out      the command's stdout (written unbuffered, as the guest writes)
 * @param err      the command's stderr
 * @param messages vireo's own lines (progress, --verbose, errors are returned, not printed)
 * @param terminal whether {@code in} is the host's terminal on fd 0, to be put in raw mode for a
 *                 terminal session and restored after
 * @param rows     the terminal's rows, or 0
 * @param cols     the terminal's columns, or 0
 */
public record RunIo(InputStream in, OutputStream out, OutputStream err, PrintStream messages, boolean terminal,
                    int rows, int cols) {
}
