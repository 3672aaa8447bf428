package dev.vireo.fuse.testing;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * A host process that holds a POSIX (fcntl) lock on a file until told to let go. Tests need the lock
 * holder in another process: POSIX locks belong to a process, and closing <em>any</em> descriptor of
 * the file in that process drops them, which vireo's own threads would do if they shared it.
 *
 * <p>The child prints "locked" once it holds the lock and exits (releasing it) when its standard
 * input closes.
 */
public final class LockHolder implements Closeable {

    private final Process process;

    private LockHolder(Process process) {
        this.process = process;
    }

    /** Starts a JVM that write-locks {@code [start, start + length)} of {@code file} (length 0: to the end). */
    public static LockHolder lock(Path file, long start, long length) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), LockHolder.class.getName(),
                file.toString(), Long.toString(start), Long.toString(length))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        InputStream out = p.getInputStream();
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = out.read()) != -1 && c != '\n') {
            line.append((char) c);
        }
        if (!line.toString().equals("locked")) {
            p.destroyForcibly();
            throw new IOException("lock holder did not lock " + file + ": " + line);
        }
        return new LockHolder(p);
    }

    /** Releases the lock (the process exits). */
    @Override
    public void close() throws IOException {
        process.getOutputStream().close();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    public static void main(String[] args) throws Exception {
        long start = Long.parseLong(args[1]);
        long length = Long.parseLong(args[2]);
        try (FileChannel c = FileChannel.open(Path.of(args[0]), StandardOpenOption.READ, StandardOpenOption.WRITE);
             FileLock l = c.lock(start, length == 0 ? Long.MAX_VALUE : length, false)) {
            System.out.println("locked");
            System.out.flush();
            while (System.in.read() != -1) {
                // wait for the parent to close our stdin
            }
        }
    }
}
