package dev.vireo.vmm.backend;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** --share and --disk values. */
class ShareAndDiskTest {

    @Test
    void sharesParse(@TempDir Path dir) throws Exception {
        assertThat(Share.parse(dir.toString(), "/mnt")).isEqualTo(new Share(dir, "/mnt", false));
        assertThat(Share.parse(dir + ":/data:ro", "/mnt")).isEqualTo(new Share(dir, "/data", true));
        assertThat(Share.parse(dir + "::ro", "/mnt1")).isEqualTo(new Share(dir, "/mnt1", true));
        assertThat(Share.parse(dir + ":/a/../b/", "/mnt").guest()).isEqualTo("/b");
        assertThatThrownBy(() -> Share.parse(dir + "/missing", "/mnt")).hasMessageContaining("does not exist");
        Path file = Files.writeString(dir.resolve("f"), "");
        assertThatThrownBy(() -> Share.parse(file.toString(), "/mnt")).hasMessageContaining("not a directory");
        assertThatThrownBy(() -> Share.parse(dir + ":rel", "/mnt")).hasMessageContaining("absolute");
        assertThatThrownBy(() -> Share.parse(dir + ":/x:rx", "/mnt")).hasMessageContaining("ro or rw");
        assertThatThrownBy(() -> Share.parse(dir + ":/x:ro:y", "/mnt")).hasMessageContaining("HOST[:GUEST[:ro]]");
    }

    @Test
    void disksParse(@TempDir Path dir) throws Exception {
        Path img = Files.write(dir.resolve("d.img"), new byte[4096]);
        assertThat(Disk.parse(img.toString())).isEqualTo(new Disk(img, false));
        assertThat(Disk.parse(img + ",ro")).isEqualTo(new Disk(img, true));
        assertThatThrownBy(() -> Disk.parse(dir.resolve("none.img").toString())).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> Disk.parse(dir.toString())).hasMessageContaining("not a file");
    }
}
