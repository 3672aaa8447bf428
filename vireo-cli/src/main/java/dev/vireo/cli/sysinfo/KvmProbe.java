package dev.vireo.cli.sysinfo;

import dev.vireo.sys.SysException;
import dev.vireo.sys.abi.kvm.KvmCap;
import dev.vireo.sys.kvm.KvmSystem;
import dev.vireo.sys.kvm.VmFd;

import java.lang.reflect.Field;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/** KVM: the device, the API version, PVM or hardware virtualization, capabilities, a test VM. */
public final class KvmProbe {

    /** Capabilities whose value is a number worth printing rather than a yes. */
    private static final List<String> NUMERIC = List.of("KVM_CAP_NR_VCPUS", "KVM_CAP_MAX_VCPUS", "KVM_CAP_NR_MEMSLOTS",
            "KVM_CAP_MAX_VCPU_ID", "KVM_CAP_IRQ_ROUTING", "KVM_CAP_NR_IRQCHIPS");
    /** Capabilities vireo's own monitor will rely on. */
    private static final List<String> NEEDED = List.of("KVM_CAP_IRQCHIP", "KVM_CAP_USER_MEMORY", "KVM_CAP_SET_TSS_ADDR",
            "KVM_CAP_EXT_CPUID", "KVM_CAP_PIT2", "KVM_CAP_IRQFD", "KVM_CAP_IOEVENTFD", "KVM_CAP_IMMEDIATE_EXIT",
            "KVM_CAP_X86_USER_SPACE_MSR");

    private KvmProbe() {
    }

    public static Section probe(boolean verbose) {
        Section s = new Section("KVM");
        boolean hardware = cpuFlag("vmx") || cpuFlag("svm");
        s.add("hardware virtualization", hardware ? "yes (" + (cpuFlag("vmx") ? "vmx" : "svm") + ")" : "no (no vmx/svm in /proc/cpuinfo)");
        if (!Files.exists(KvmSystem.DEVICE)) {
            s.add("/dev/kvm", "missing (load kvm_intel or kvm_amd)");
            return s;
        }
        boolean pvm = KvmSystem.isPvm();
        s.add("flavour", pvm ? "PVM (kvm_pvm: software virtualization; stock kernels cannot boot, guests run under QEMU TCG)"
                : hardware ? "hardware-assisted" : "unknown");
        try (KvmSystem kvm = KvmSystem.open()) {
            s.add("API version", kvm.apiVersion());
            s.add("vCPU mmap size", kvm.vcpuMmapSize() + " bytes");
            List<String> supported = new ArrayList<>();
            List<String> missing = new ArrayList<>();
            for (Field f : KvmCap.class.getFields()) {
                int value = kvm.checkExtension(f.getInt(null));
                String name = f.getName();
                if (NUMERIC.contains(name)) {
                    s.add(name.substring("KVM_CAP_".length()).toLowerCase().replace('_', ' '), value);
                }
                if (value > 0) {
                    supported.add(name.substring("KVM_CAP_".length()));
                } else if (NEEDED.contains(name)) {
                    missing.add(name);
                }
            }
            s.add("capabilities", supported.size() + " of " + KvmCap.class.getFields().length + " known");
            s.add("needed by vireo's monitor", missing.isEmpty() ? "all present" : "missing " + missing);
            if (verbose) {
                s.add("supported", String.join(" ", supported));
            }
            try (VmFd vm = kvm.createVm()) {
                s.add("create VM", "ok (fd " + vm.fd().num() + ")");
            }
        } catch (SysException e) {
            s.add("error", e.getMessage());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
        return s;
    }

    private static boolean cpuFlag(String flag) {
        for (String line : HostProbe.lines("/proc/cpuinfo")) {
            if (line.startsWith("flags") && (" " + line + " ").contains(" " + flag + " ")) {
                return true;
            }
        }
        return false;
    }
}
