package dev.vireo.fuse.passthrough;

import dev.vireo.fuse.testing.PassthroughMount;
import dev.vireo.sys.testing.FdLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(FdLeakCheck.class)
class PassthroughSmokeTest {

    @Test
    void basics(@TempDir Path dir) throws Exception {
        try (PassthroughMount m = PassthroughMount.start(dir)) {
            Files.writeString(m.source().resolve("host.txt"), "from the host");
            assertThat(Files.readString(m.mnt().resolve("host.txt"))).isEqualTo("from the host");
            Files.createDirectories(m.mnt().resolve("a/b/c"));
            Files.writeString(m.mnt().resolve("a/b/c/f"), "x".repeat(100_000));
            assertThat(Files.readString(m.source().resolve("a/b/c/f"))).hasSize(100_000);
            try (Stream<Path> s = Files.list(m.mnt())) {
                assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("host.txt", "a");
            }
            Files.delete(m.mnt().resolve("host.txt"));
            assertThat(m.source().resolve("host.txt")).doesNotExist();
        }
    }
}
