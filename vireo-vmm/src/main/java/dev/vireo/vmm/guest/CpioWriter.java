package dev.vireo.vmm.guest;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * Writes a cpio archive in the "newc" format the kernel's initramfs unpacker reads
 * ({@code Documentation/driver-api/early-userspace/buffer-format.rst}): per entry a 110-byte ASCII
 * header ("070701" and 13 eight-digit hex fields), the NUL-terminated name padded to a multiple of
 * four, the data padded likewise; a "TRAILER!!!" entry ends the archive.
 *
 * <p>Entries carry mtime 0, owner root and increasing inode numbers, so the same entries always
 * give the same bytes (the initramfs cache is keyed by content).
 */
public final class CpioWriter implements AutoCloseable {

    public static final int S_IFDIR = 0040000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFLNK = 0120000;
    public static final int S_IFCHR = 0020000;

    private final OutputStream out;
    private final Set<String> names = new HashSet<>();
    private long written;
    private int inode = 1;
    private boolean finished;

    public CpioWriter(OutputStream out) {
        this.out = out;
    }

    /** A directory (its parents must come first, as the kernel creates entries in order). */
    public void directory(String name, int mode) throws IOException {
        entry(name, S_IFDIR | (mode & 07777), 2, 0, 0, new byte[0]);
    }

    /** A regular file with {@code data}. */
    public void file(String name, int mode, byte[] data) throws IOException {
        entry(name, S_IFREG | (mode & 07777), 1, 0, 0, data);
    }

    /** A symbolic link to {@code target}. */
    public void symlink(String name, String target) throws IOException {
        entry(name, S_IFLNK | 0777, 1, 0, 0, target.getBytes(StandardCharsets.UTF_8));
    }

    /** A character device node. */
    public void charDevice(String name, int mode, int major, int minor) throws IOException {
        entry(name, S_IFCHR | (mode & 07777), 1, major, minor, new byte[0]);
    }

    /** Writes the trailer; the archive is complete. Does not close the underlying stream. */
    public void finish() throws IOException {
        if (!finished) {
            finished = true;
            header("TRAILER!!!", 0, 1, 0, 0, 0, 0);
            out.flush();
        }
    }

    @Override
    public void close() throws IOException {
        finish();
    }

    private void entry(String name, int mode, int nlink, int rdevMajor, int rdevMinor, byte[] data) throws IOException {
        if (finished) {
            throw new IllegalStateException("cpio archive already finished");
        }
        if (name.isEmpty() || name.startsWith("/") || name.contains("\0") || name.equals("TRAILER!!!")) {
            throw new IllegalArgumentException("bad cpio entry name: " + name);
        }
        if (!names.add(name)) {
            throw new IllegalArgumentException("duplicate cpio entry: " + name);
        }
        header(name, mode, nlink, data.length, rdevMajor, rdevMinor, inode++);
        out.write(data);
        written += data.length;
        pad();
    }

    private void header(String name, int mode, int nlink, long size, int rdevMajor, int rdevMinor, int ino)
            throws IOException {
        if (size > 0xffffffffL) {
            throw new IllegalArgumentException("cpio newc entries are limited to 4 GiB: " + name);
        }
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        StringBuilder h = new StringBuilder(110).append("070701");
        long[] fields = {ino, mode, 0, 0, nlink, 0, size, 0, 0, rdevMajor, rdevMinor, nameBytes.length + 1L, 0};
        for (long f : fields) {
            h.append(String.format("%08x", f));
        }
        out.write(h.toString().getBytes(StandardCharsets.US_ASCII));
        out.write(nameBytes);
        out.write(0);
        written += 110 + nameBytes.length + 1;
        pad();
    }

    private void pad() throws IOException {
        while (written % 4 != 0) {
            out.write(0);
            written++;
        }
    }
}
