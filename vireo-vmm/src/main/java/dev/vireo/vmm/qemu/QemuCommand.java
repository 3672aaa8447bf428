package dev.vireo.vmm.qemu;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The QEMU command line of a {@code vireo run} guest: a pure function of its {@link Spec}, so that
 * every option can be checked without starting QEMU.
 *
 * <ul>
 *   <li>Memory is a memfd backend with {@code share=on}: vhost-user backends map guest memory
 *       from the file descriptors QEMU passes them.</li>
 *   <li>Three 16550 serial ports, each a {@code -chardev socket} that connects to a socket vireo
 *       listens on: ttyS0 the command's stdin/stdout, ttyS1 the kernel console and vireo's
 *       protocol, ttyS2 the command's stderr.</li>
 *   <li>microvm: {@code acpi=on} (the guest finds virtio-mmio devices in the ACPI tables), and
 *       {@code virtio-mmio.force-legacy=false}: vhost-user devices need the modern (virtio 1.x)
 *       MMIO transport, and microvm's default is legacy.</li>
 *   <li>{@code -no-reboot}: a reboot (the guest's poweroff fallback, or {@code panic=-1}) ends QEMU.</li>
 * </ul>
 */
public final class QemuCommand {

    /**
     * What a guest is made of.
     *
     * @param qemu       the qemu-system-x86_64 binary
     * @param name       QEMU's {@code -name} (identifies the process, e.g. in ps)
     * @param machine    microvm or q35
     * @param accel      KVM or TCG
     * @param cpus       vCPUs
     * @param memoryMiB  guest RAM in MiB
     * @param kernel     the bzImage
     * @param initrd     the initramfs
     * @param append     the kernel command line
     * @param console    socket of ttyS0 (stdin/stdout)
     * @param control    socket of ttyS1 (kernel console, vireo protocol)
     * @param stderr     socket of ttyS2 (stderr)
     * @param devices    vhost-user devices, in order
     */
    public record Spec(Path qemu, String name, Machine machine, Accel accel, int cpus, long memoryMiB,
                       Path kernel, Path initrd, String append, Path console, Path control, Path stderr,
                       List<VhostUserDevice> devices) {
        public Spec {
            if (cpus < 1 || cpus > 255) {
                throw new IllegalArgumentException("--cpus must be 1 to 255, not " + cpus);
            }
            if (memoryMiB < 64 || memoryMiB > 1L << 22) {
                throw new IllegalArgumentException("--memory must be 64 MiB to 4 TiB, not " + memoryMiB + " MiB");
            }
            devices = List.copyOf(devices);
        }
    }

    private QemuCommand() {
    }

    /** The argument vector, program first. */
    public static List<String> of(Spec s) {
        List<String> a = new ArrayList<>();
        a.add(s.qemu().toString());
        a.addAll(List.of("-name", s.name()));
        a.addAll(List.of("-machine", s.machine() == Machine.MICROVM
                ? "microvm,acpi=on,memory-backend=mem" : "q35,memory-backend=mem"));
        a.addAll(List.of("-accel", s.accel().qemuName()));
        // KVM: the host's CPU model; TCG: everything QEMU can emulate (x86-64-v2+ for Debian's kernel).
        a.addAll(List.of("-cpu", s.accel() == Accel.KVM ? "host" : "max"));
        a.addAll(List.of("-smp", Integer.toString(s.cpus())));
        a.addAll(List.of("-m", s.memoryMiB() + "M"));
        a.addAll(List.of("-object", "memory-backend-memfd,id=mem,size=" + s.memoryMiB() + "M,share=on"));
        a.addAll(List.of("-nodefaults", "-no-user-config", "-display", "none", "-no-reboot"));
        a.addAll(List.of("-chardev", socketChardev("con", s.console()), "-serial", "chardev:con"));
        a.addAll(List.of("-chardev", socketChardev("ctl", s.control()), "-device", "isa-serial,chardev=ctl,index=1"));
        a.addAll(List.of("-chardev", socketChardev("err", s.stderr()), "-device", "isa-serial,chardev=err,index=2"));
        if (s.machine() == Machine.MICROVM) {
            a.addAll(List.of("-global", "virtio-mmio.force-legacy=false"));
        }
        for (VhostUserDevice d : s.devices()) {
            a.addAll(List.of("-chardev", socketChardev(d.id(), d.socket())));
            StringBuilder dev = new StringBuilder(d.kind().qemuDevice(s.machine())).append(",chardev=").append(d.id())
                    .append(",id=").append(d.id()).append("-dev");
            for (Map.Entry<String, String> p : new TreeMap<>(d.properties()).entrySet()) {
                dev.append(',').append(p.getKey()).append('=').append(escape(p.getValue()));
            }
            a.addAll(List.of("-device", dev.toString()));
        }
        a.addAll(List.of("-kernel", s.kernel().toString(), "-initrd", s.initrd().toString(), "-append", s.append()));
        return List.copyOf(a);
    }

    private static String socketChardev(String id, Path path) {
        return "socket,id=" + id + ",path=" + escape(path.toString());
    }

    /** QEMU option values escape ',' by doubling it. */
    static String escape(String value) {
        return value.replace(",", ",,");
    }
}
