package dev.vireo.vmm.run;

import dev.vireo.vmm.qemu.Machine;
import dev.vireo.vmm.qemu.VhostUserDevice;
import dev.vireo.vmm.testing.TestGuest;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The guest image of a configuration: Debian's kernel, the machine, the drivers of its devices. */
class GuestImageTest {

    @Test
    void eachDeviceKindBringsItsDriverAndTheResultIsRemembered() throws Exception {
        TestGuest.kernel(); // fetched into the cache if needed
        List<String> progress = new ArrayList<>();
        GuestImage all = GuestImage.prepare(RunOptions.of(List.of("true")),
                EnumSet.of(VhostUserDevice.Kind.FS, VhostUserDevice.Kind.BLOCK, VhostUserDevice.Kind.RNG), progress::add);
        assertThat(all.machine()).isEqualTo(Machine.MICROVM);
        assertThat(all.modules()).containsSubsequence("virtio_ring", "virtio", "virtio_mmio")
                .contains("fuse", "virtiofs", "virtio_blk", "virtio_rng");

        GuestImage none = GuestImage.prepare(RunOptions.of(List.of("true")), EnumSet.noneOf(VhostUserDevice.Kind.class),
                progress::add);
        assertThat(none.modules()).isEmpty();
        assertThat(none.initramfs()).isNotEqualTo(all.initramfs());

        GuestImage q35 = GuestImage.prepare(RunOptions.of(List.of("true")).withMachine(Machine.Q35),
                EnumSet.of(VhostUserDevice.Kind.FS), progress::add);
        assertThat(q35.modules()).contains("virtio_pci", "virtiofs").doesNotContain("virtio_mmio");

        // a second preparation of the same configuration reads the remembered outcome
        assertThat(GuestImage.prepare(RunOptions.of(List.of("true")),
                EnumSet.of(VhostUserDevice.Kind.FS, VhostUserDevice.Kind.BLOCK, VhostUserDevice.Kind.RNG), progress::add))
                .isEqualTo(all);
    }
}
