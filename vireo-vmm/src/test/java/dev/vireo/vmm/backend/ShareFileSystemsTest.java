package dev.vireo.vmm.backend;

import dev.vireo.fuse.passthrough.PassthroughFs;
import dev.vireo.fuse.passthrough.PassthroughOptions;
import dev.vireo.sys.testing.FdLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The file systems of a share: the first made ahead, later ones on demand, none leaked. */
@ExtendWith(FdLeakCheck.class)
class ShareFileSystemsTest {

    @Test
    void theFirstSessionGetsTheFileSystemMadeAheadAndLaterSessionsNewOnes(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("f"), "x");
        try (ShareFileSystems fileSystems = new ShareFileSystems(dir, PassthroughOptions.defaults(), "t")) {
            PassthroughFs first = fileSystems.get();
            PassthroughFs second = fileSystems.get();
            try {
                assertThat(second).isNotSameAs(first);
            } finally {
                second.close();
                first.close();
            }
        }
    }

    @Test
    void closeClosesTheFirstWhenNoSessionTookIt(@TempDir Path dir) {
        // FdLeakCheck fails the test if the directory descriptors it opened stay open.
        new ShareFileSystems(dir, PassthroughOptions.defaults(), "t").close();
    }

    @Test
    void aDirectoryThatCannotBeServedFailsTheSessionNotTheConstructor(@TempDir Path dir) {
        Path gone = dir.resolve("gone");
        try (ShareFileSystems fileSystems = new ShareFileSystems(gone, PassthroughOptions.defaults(), "t")) {
            assertThatThrownBy(fileSystems::get).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not exist");
        }
    }
}
