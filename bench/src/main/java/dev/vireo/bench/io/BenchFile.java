package dev.vireo.bench.io;

import dev.vireo.sys.FdCalls;
import dev.vireo.sys.FsCalls;
import dev.vireo.sys.Mapping;
import dev.vireo.sys.MemCalls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The 1 GiB file the read benchmarks read: every 4 KiB block starts with its own offset (a
 * native-order long), so every benchmark checks that each read returned the block it asked for.
 * Created once and reused; its path comes from {@code -Dvireo.bench.file}.
 */
final class BenchFile {

    static final long SIZE = 1L << 30;
    static final int BLOCK = 4096;

    private BenchFile() {
    }

    static Path path() {
        return Path.of(System.getProperty("vireo.bench.file", "target/io-bench-1g.dat")).toAbsolutePath();
    }

    /** Creates the file unless a complete one is there. */
    static Path ensure() {
        Path p = path();
        try {
            if (Files.exists(p) && Files.size(p) == SIZE && markersOk(p)) {
                return p;
            }
            Files.createDirectories(p.getParent());
            Path tmp = p.resolveSibling(p.getFileName() + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.nativeOrder());
                for (long off = 0; off < SIZE; off += chunk.capacity()) {
                    chunk.clear();
                    for (int b = 0; b < chunk.capacity(); b += BLOCK) {
                        chunk.putLong(b, off + b);
                        for (int i = 8; i < BLOCK; i += 8) {
                            chunk.putLong(b + i, (off + b) * 31 + i);
                        }
                    }
                    while (chunk.hasRemaining()) {
                        ch.write(chunk, off + chunk.position());
                    }
                }
                ch.force(true);
            }
            Files.move(tmp, p, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Maps the whole file, populated: its pages are then in the page cache and stay there while
     * the mapping lives, because dropping the cache (echo 1 > drop_caches, which other jobs on a
     * shared machine do) skips mapped pages. Close the mapping at the end of the trial.
     */
    static Mapping pin(Path p) {
        int fd = FsCalls.open(p.toString(), FsCalls.O_RDONLY | FsCalls.O_CLOEXEC, 0);
        try {
            return MemCalls.mmap(SIZE, MemCalls.PROT_READ, MemCalls.MAP_SHARED | MemCalls.MAP_POPULATE, fd, 0);
        } finally {
            FdCalls.close(fd); // the mapping keeps its own reference to the file
        }
    }

    /** {@code count} random block offsets, the same sequence for every method. */
    static long[] offsets(int count) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(20261122);
        long[] o = new long[count];
        for (int i = 0; i < count; i++) {
            o[i] = r.nextLong(SIZE / BLOCK) * BLOCK;
        }
        return o;
    }

    private static boolean markersOk(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
            for (long off : new long[] {0, SIZE / 2, SIZE - BLOCK}) {
                b.clear();
                ch.read(b, off);
                if (b.getLong(0) != off) {
                    return false;
                }
            }
            return true;
        }
    }
}
