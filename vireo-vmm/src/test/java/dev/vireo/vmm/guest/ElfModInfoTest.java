package dev.vireo.vmm.guest;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vireo.vmm.testing.TestGuest;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reading .modinfo from real modules of Debian's kernel, and from damaged ELF files. */
class ElfModInfoTest {

    private static Path module(String name) throws Exception {
        try (Stream<Path> s = Files.walk(TestGuest.kernel().modulesDir())) {
            return s.filter(p -> p.getFileName().toString().equals(name + ".ko")).findFirst().orElseThrow();
        }
    }

    @Test
    void virtiofsNeedsFuseAndTheVirtioCore() throws Exception {
        ElfModInfo info = ElfModInfo.parse(Files.readAllBytes(module("virtiofs")));
        assertThat(info.depends()).containsExactlyInAnyOrder("fuse", "virtio", "virtio_ring");
        assertThat(info.values("name")).containsExactly("virtiofs");
        assertThat(ElfModInfo.parse(Files.readAllBytes(module("fuse"))).depends()).isEmpty();
    }

    @Test
    void virtioMmioBindsTheAcpiIdMicrovmUses() throws Exception {
        assertThat(ElfModInfo.parse(Files.readAllBytes(module("virtio_mmio"))).values("alias"))
                .contains("acpi*:LNRO0005:*");
    }

    @Test
    void theFuzzSeedModuleParses() throws Exception {
        try (var in = getClass().getResourceAsStream("ElfModInfoTestInputs/anyBytes/minimal-module")) {
            ElfModInfo info = ElfModInfo.parse(in.readAllBytes());
            assertThat(info.depends()).containsExactly("fuse", "virtio");
            assertThat(info.values("alias")).containsExactly("acpi*:LNRO0005:*");
        }
    }

    @Test
    void damagedFilesAreRefused() throws Exception {
        byte[] good = Files.readAllBytes(module("virtio_ring"));
        assertThatThrownBy(() -> ElfModInfo.parse(new byte[10])).hasMessageContaining("not an ELF");
        byte[] class32 = good.clone();
        class32[4] = 1;
        assertThatThrownBy(() -> ElfModInfo.parse(class32)).hasMessageContaining("64-bit");
        byte[] badTable = good.clone();
        badTable[0x28 + 7] = 0x7f; // e_shoff far beyond the file
        assertThatThrownBy(() -> ElfModInfo.parse(badTable)).hasMessageContaining("outside the file");
        byte[] truncated = java.util.Arrays.copyOf(good, good.length / 2);
        assertThatThrownBy(() -> ElfModInfo.parse(truncated)).isInstanceOf(ElfModInfo.BadModuleException.class);
    }

    /** Any bytes: entries or BadModuleException; never an index or arithmetic exception. */
    @FuzzTest(maxDuration = "10s")
    void anyBytes(byte[] data) {
        try {
            ElfModInfo info = ElfModInfo.parse(data);
            assertThat(info.depends()).doesNotContainNull();
        } catch (ElfModInfo.BadModuleException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }
}
