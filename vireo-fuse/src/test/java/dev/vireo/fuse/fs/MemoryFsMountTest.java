package dev.vireo.fuse.fs;

import dev.vireo.fuse.session.SessionConfig;
import dev.vireo.fuse.transport.FuseServer;
import dev.vireo.fuse.transport.MountOptions;
import dev.vireo.sys.testing.FdLeakCheck;
import dev.vireo.sys.testing.Requires;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The example file system mounted through the kernel's FUSE client, used with plain Java file APIs. */
@ExtendWith(FdLeakCheck.class)
class MemoryFsMountTest {

    @Test
    void theExampleFileSystemWorksThroughTheKernel(@TempDir Path mnt) throws Exception {
        Requires.root();
        Requires.device("/dev/fuse");
        MemoryFs fs = new MemoryFs();
        try (FuseServer server = FuseServer.start(fs, MountOptions.of(mnt, "memoryfs"), SessionConfig.defaults(), 2)) {
            assertThat(server.awaitReady(Duration.ofSeconds(10))).isTrue();
            Files.createDirectory(mnt.resolve("dir"));
            Path f = mnt.resolve("dir/hello.txt");
            Files.writeString(f, "hello, kernel");
            assertThat(Files.readString(f)).isEqualTo("hello, kernel");
            assertThat(Files.size(f)).isEqualTo(13);
            try (Stream<Path> s = Files.list(mnt.resolve("dir"))) {
                assertThat(s.map(p -> p.getFileName().toString())).containsExactly("hello.txt");
            }
            Files.move(f, mnt.resolve("moved.txt"));
            assertThat(Files.readString(mnt.resolve("moved.txt"))).isEqualTo("hello, kernel");
            assertThatThrownBy(() -> Files.delete(mnt.resolve("nope"))).isInstanceOf(java.nio.file.NoSuchFileException.class);
            Files.delete(mnt.resolve("moved.txt"));
            Files.delete(mnt.resolve("dir"));
            try (Stream<Path> s = Files.list(mnt)) {
                assertThat(s).isEmpty();
            }
        }
    }
}
