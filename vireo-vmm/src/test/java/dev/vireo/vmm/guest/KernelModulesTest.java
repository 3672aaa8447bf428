package dev.vireo.vmm.guest;

import dev.vireo.vmm.testing.TestGuest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Load order from .modinfo (Debian's real kernel) and from modules.dep (a made-up tree). */
class KernelModulesTest {

    private static List<String> names(List<KernelModules.Module> mods) {
        return mods.stream().map(KernelModules.Module::name).toList();
    }

    @Test
    void debiansVirtioFsStackLoadsDependenciesFirst() throws Exception {
        KernelModules mods = TestGuest.kernel().modules();
        List<String> order = names(mods.resolve(List.of("virtio_mmio", "virtiofs", "virtio_blk")));
        assertThat(order).containsExactly("virtio_ring", "virtio", "virtio_mmio", "fuse", "virtiofs", "virtio_blk");
        assertThat(names(mods.resolve(List.of("virtio-rng")))).endsWith("virtio_rng");
        assertThat(mods.virtioMmioOverAcpi()).isTrue();
        assertThatThrownBy(() -> mods.resolve(List.of("no_such_driver"))).hasMessageContaining("no module no_such_driver");
    }

    @Test
    void modulesDepAndBuiltinsAreHonoured(@TempDir Path dir) throws Exception {
        for (String f : List.of("kernel/a.ko", "kernel/b.ko", "kernel/c.ko", "kernel/x.ko", "kernel/y.ko")) {
            Files.createDirectories(dir.resolve(f).getParent());
            Files.write(dir.resolve(f), new byte[] {0});
        }
        Files.writeString(dir.resolve("modules.dep"), """
                kernel/a.ko: kernel/b.ko kernel/c.ko
                kernel/b.ko: kernel/c.ko
                kernel/c.ko:
                kernel/x.ko: kernel/y.ko
                kernel/y.ko: kernel/x.ko
                """);
        Files.writeString(dir.resolve("modules.builtin"), "kernel/builtin-one.ko\n");
        KernelModules mods = KernelModules.open(dir);
        assertThat(names(mods.resolve(List.of("a", "builtin_one", "c")))).containsExactly("c", "b", "a");
        assertThat(mods.isBuiltin("builtin-one")).isTrue();
        assertThat(mods.virtioMmioOverAcpi()).isFalse();
        assertThatThrownBy(() -> mods.resolve(List.of("x"))).hasMessageContaining("cycle");
    }
}
