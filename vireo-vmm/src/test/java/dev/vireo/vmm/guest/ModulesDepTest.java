package dev.vireo.vmm.guest;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The modules.dep parser. */
class ModulesDepTest {

    @Test
    void parsesDepmodOutput() throws Exception {
        Map<String, ModulesDep.Entry> dep = ModulesDep.parse("""
                kernel/fs/fuse/virtiofs.ko.xz: kernel/fs/fuse/fuse.ko.xz kernel/drivers/virtio/virtio_ring.ko.xz
                kernel/fs/fuse/fuse.ko.xz:
                kernel/drivers/char/hw_random/virtio-rng.ko: kernel/drivers/virtio/virtio.ko
                """);
        assertThat(dep).containsOnlyKeys("virtiofs", "fuse", "virtio_rng");
        assertThat(dep.get("virtiofs").depends()).containsExactly("kernel/fs/fuse/fuse.ko.xz",
                "kernel/drivers/virtio/virtio_ring.ko.xz");
        assertThat(dep.get("fuse").depends()).isEmpty();
    }

    @Test
    void refusesLinesThatAreNotModulePaths() {
        assertThatThrownBy(() -> ModulesDep.parse("kernel/a.ko: ../../etc/shadow.ko\n"))
                .hasMessageContaining("line 1").hasMessageContaining("not a module path");
        assertThatThrownBy(() -> ModulesDep.parse("\n/abs/a.ko:\n")).hasMessageContaining("line 2");
        assertThatThrownBy(() -> ModulesDep.parse("no colon here\n")).hasMessageContaining("no \"path:\"");
        assertThatThrownBy(() -> ModulesDep.parse("kernel/a.txt:\n")).hasMessageContaining("not a module path");
    }

    /** A relative path none of whose components is "." or ".." ("k.../x.ko" is a fine name). */
    private static void staysInside(String path) {
        assertThat(path).doesNotStartWith("/");
        assertThat(path.split("/", -1)).doesNotContain("..", ".", "");
    }

    /** Any text: entries whose paths stay inside the directory, or BadModulesDepException. */
    @FuzzTest(maxDuration = "10s")
    void anyText(byte[] data) {
        try {
            for (ModulesDep.Entry e : ModulesDep.parse(new String(data, StandardCharsets.UTF_8)).values()) {
                staysInside(e.path());
                e.depends().forEach(ModulesDepTest::staysInside);
            }
        } catch (ModulesDep.BadModulesDepException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }
}
