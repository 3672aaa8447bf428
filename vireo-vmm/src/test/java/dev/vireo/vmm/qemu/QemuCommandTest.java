package dev.vireo.vmm.qemu;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The QEMU command line as a pure function of its spec (QEMU itself runs it in VmRunTest). */
class QemuCommandTest {

    private static QemuCommand.Spec spec(Machine machine, Accel accel, List<VhostUserDevice> devices) {
        return new QemuCommand.Spec(Path.of("/usr/bin/qemu-system-x86_64"), "vireo-1", machine, accel, 2, 512,
                Path.of("/k/vmlinuz"), Path.of("/r/initrd"), "console=ttyS1 quiet", Path.of("/r/con.sock"),
                Path.of("/r/ctl.sock"), Path.of("/r/err.sock"), devices);
    }

    private static String joined(List<String> args) {
        return String.join(" ", args);
    }

    @Test
    void microvmWithAShareUnderTcg() {
        VhostUserDevice fs = new VhostUserDevice("fs0", VhostUserDevice.Kind.FS, Path.of("/r/fs0.sock"), Map.of("tag", "vireo-fs0"));
        List<String> a = QemuCommand.of(spec(Machine.MICROVM, Accel.TCG, List.of(fs)));
        assertThat(a.getFirst()).isEqualTo("/usr/bin/qemu-system-x86_64");
        String s = joined(a);
        assertThat(s).contains("-machine microvm,acpi=on,memory-backend=mem", "-accel tcg", "-cpu max", "-smp 2", "-m 512M",
                "-object memory-backend-memfd,id=mem,size=512M,share=on", "-no-reboot", "-nodefaults",
                "-global virtio-mmio.force-legacy=false",
                "-chardev socket,id=con,path=/r/con.sock -serial chardev:con",
                "-chardev socket,id=ctl,path=/r/ctl.sock -device isa-serial,chardev=ctl,index=1",
                "-chardev socket,id=err,path=/r/err.sock -device isa-serial,chardev=err,index=2",
                "-chardev socket,id=fs0,path=/r/fs0.sock -device vhost-user-fs-device,chardev=fs0,id=fs0-dev,tag=vireo-fs0",
                "-kernel /k/vmlinuz -initrd /r/initrd");
        // the kernel command line is one argument
        assertThat(a.get(a.indexOf("-append") + 1)).isEqualTo("console=ttyS1 quiet");
    }

    @Test
    void q35UsesPciDevicesAndKvmTheHostCpu() {
        VhostUserDevice blk = new VhostUserDevice("blk0", VhostUserDevice.Kind.BLOCK, Path.of("/r/b,x.sock"), Map.of());
        String s = joined(QemuCommand.of(spec(Machine.Q35, Accel.KVM, List.of(blk))));
        assertThat(s).contains("-machine q35,memory-backend=mem", "-accel kvm", "-cpu host",
                "-chardev socket,id=blk0,path=/r/b,,x.sock", "-device vhost-user-blk-pci,chardev=blk0,id=blk0-dev");
        assertThat(s).doesNotContain("force-legacy");
    }

    @Test
    void refusesImpossibleSizesAndIds() {
        assertThatThrownBy(() -> new QemuCommand.Spec(Path.of("q"), "n", Machine.Q35, Accel.TCG, 0, 512, Path.of("k"),
                Path.of("i"), "", Path.of("a"), Path.of("b"), Path.of("c"), List.of())).hasMessageContaining("--cpus");
        assertThatThrownBy(() -> new QemuCommand.Spec(Path.of("q"), "n", Machine.Q35, Accel.TCG, 1, 16, Path.of("k"),
                Path.of("i"), "", Path.of("a"), Path.of("b"), Path.of("c"), List.of())).hasMessageContaining("--memory");
        assertThatThrownBy(() -> new VhostUserDevice("a,b", VhostUserDevice.Kind.FS, Path.of("s"), Map.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
