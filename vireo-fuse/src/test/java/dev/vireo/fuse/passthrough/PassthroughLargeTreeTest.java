package dev.vireo.fuse.passthrough;

import dev.vireo.fuse.testing.PassthroughMount;
import dev.vireo.fuse.transport.MountOptions;
import dev.vireo.sys.testing.FdLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A tree of 100,000 files (five times the hard open-file limit of 20,000) served completely: every
 * file is found and stat'ed through the mount and 2,000 of them read, while vireo holds inodes by
 * file handle and keeps at most its cache's worth of descriptors (500 here) open. A server holding
 * one descriptor per inode fails with EMFILE on this tree.
 */
@ExtendWith(FdLeakCheck.class)
class PassthroughLargeTreeTest {

    private static final int DIRS = 100;
    private static final int FILES_PER_DIR = 1000;

    @Test
    void servesATreeFarLargerThanTheOpenFileLimit(@TempDir Path dir) throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        for (int d = 0; d < DIRS; d++) {
            Path sub = Files.createDirectory(src.resolve("d" + d));
            for (int f = 0; f < FILES_PER_DIR; f++) {
                if (f % 50 == 0) {
                    Files.writeString(sub.resolve("f" + f), "file " + d + "/" + f);
                } else {
                    Files.createFile(sub.resolve("f" + f));
                }
            }
        }
        int cache = 500;
        PassthroughOptions o = PassthroughOptions.defaults().withCache(CachePolicy.ALWAYS).withFdCacheSize(cache)
                .withFileHandles(PassthroughOptions.FileHandles.MANDATORY);
        try (PassthroughMount m = PassthroughMount.start(dir, o, 2, (mo, x) -> mo)) {
            assertThat(m.fs().usesFileHandles()).isTrue();
            AtomicLong files = new AtomicLong();
            AtomicLong maxFds = new AtomicLong();
            Files.walkFileTree(m.mnt(), new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    assertThat(attrs.isRegularFile()).isTrue();
                    if (files.incrementAndGet() % 5000 == 0) {
                        maxFds.accumulateAndGet(FdLeakCheck.openFds().size(), Math::max);
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
            assertThat(files.get()).isEqualTo((long) DIRS * FILES_PER_DIR);

            // Read 2,000 of them: each open needs the inode's descriptor (opened by handle), four times
            // as many as the cache keeps, so the cache evicts as it goes.
            for (int d = 0; d < DIRS; d++) {
                for (int f = 0; f < FILES_PER_DIR; f += 50) {
                    assertThat(Files.readString(m.mnt().resolve("d" + d).resolve("f" + f))).isEqualTo("file " + d + "/" + f);
                }
                maxFds.accumulateAndGet(FdLeakCheck.openFds().size(), Math::max);
                assertThat(m.fs().cachedDescriptors()).isLessThanOrEqualTo(cache + 16);
            }
            // Every file was looked up; the kernel still holds most of them, vireo only a cache's worth of descriptors.
            assertThat(m.fs().inodeCount()).isGreaterThan(20_000);
            assertThat(m.fs().cachedDescriptors()).isLessThanOrEqualTo(cache + 16);
            assertThat(maxFds.get()).isLessThan(cache + 200);
            System.out.printf("large tree: %d files, %d inodes known, %d descriptors cached, at most %d open%n",
                    files.get(), m.fs().inodeCount(), m.fs().cachedDescriptors(), maxFds.get());
        }
    }
}
