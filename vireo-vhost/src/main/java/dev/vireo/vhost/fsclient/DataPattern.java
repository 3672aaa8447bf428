package dev.vireo.vhost.fsclient;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * The content {@code vireo fsload} writes and expects back: every 4 KiB block of a file starts with
 * a stamp naming the block (so data read from the wrong offset is caught), the rest is a fixed
 * pseudo-random template (so a short or zero-filled read is caught). A buffer is primed with the
 * template once; each write then only re-stamps the block headers (256 stores per MiB), so
 * producing the data costs the load generator almost nothing.
 */
public final class DataPattern {

    /** The block size the pattern repeats over; file offsets must be multiples of it. */
    public static final int BLOCK = 4096;
    private static final long MAGIC = 0x5649_5245_4f00_0000L; // "VIREO" in the high bytes
    private static final ValueLayout.OfLong LE = JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final MemorySegment TEMPLATE;

    static {
        TEMPLATE = Arena.global().allocate(BLOCK, 8);
        int x = 0x1234567;
        for (int i = 0; i < BLOCK; i++) {
            x = x * 1103515245 + 12345;
            TEMPLATE.set(JAVA_BYTE, i, (byte) (x >>> 16));
        }
    }

    private DataPattern() {
    }

    /** Fills {@code buf} with the template (once per buffer; {@link #stamp} then makes it file data). */
    public static void prime(MemorySegment buf) {
        for (long at = 0; at < buf.byteSize(); at += BLOCK) {
            MemorySegment.copy(TEMPLATE, 0, buf, at, Math.min(BLOCK, buf.byteSize() - at));
        }
    }

    /** Stamps the blocks of a primed {@code buf}'s first {@code len} bytes as file data at {@code fileOffset}. */
    public static void stamp(MemorySegment buf, long fileOffset, int len) {
        checkAligned(fileOffset);
        long block = fileOffset / BLOCK;
        for (long at = 0; at + 8 <= len; at += BLOCK) {
            buf.set(LE, at, MAGIC ^ block++);
        }
    }

    /**
     * Checks that the first {@code len} bytes of {@code buf} are the file's content at {@code
     * fileOffset}; returns -1 when they are, else the file offset of the first wrong byte.
     */
    public static long verify(MemorySegment buf, long fileOffset, long len) {
        checkAligned(fileOffset);
        long block = fileOffset / BLOCK;
        for (long at = 0; at < len; at += BLOCK, block++) {
            long n = Math.min(BLOCK, len - at);
            if (n >= 8 && buf.get(LE, at) != (MAGIC ^ block)) {
                return fileOffset + at;
            }
            long headerless = Math.min(8, n);
            long bad = MemorySegment.mismatch(buf, at + headerless, at + n, TEMPLATE, headerless, n);
            if (bad >= 0) {
                return fileOffset + at + headerless + bad;
            }
            if (n < 8) {
                // A tail shorter than the stamp: compare what there is of it.
                MemorySegment stamp = Arena.ofAuto().allocate(8);
                stamp.set(LE, 0, MAGIC ^ block);
                long s = MemorySegment.mismatch(buf, at, at + n, stamp, 0, n);
                if (s >= 0) {
                    return fileOffset + at + s;
                }
            }
        }
        return -1;
    }

    private static void checkAligned(long fileOffset) {
        if (fileOffset % BLOCK != 0) {
            throw new IllegalArgumentException("pattern offsets are multiples of " + BLOCK + ": " + fileOffset);
        }
    }
}
