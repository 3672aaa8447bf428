package dev.vireo.vmm.qemu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which accelerator a host can run a stock Linux guest with, and why. KVM only with hardware
 * virtualization: the CPU has VMX or SVM, /dev/kvm is usable, and /dev/kvm is not PVM's
 * ({@code kvm_pvm}: software virtualization, where an unmodified kernel runs in KVM's instruction
 * emulator for minutes and then dies on an instruction it lacks). TCG otherwise.
 *
 * @param accel  the accelerator
 * @param reason one line saying why, for {@code --verbose}
 */
public record AccelChoice(Accel accel, String reason) {

    /** The decision from the host's facts (a pure function, tested on its own). */
    public static AccelChoice choose(Set<String> cpuFlags, boolean kvmUsable, boolean pvm) {
        boolean hw = cpuFlags.contains("vmx") || cpuFlags.contains("svm");
        if (pvm) {
            return new AccelChoice(Accel.TCG, "TCG: /dev/kvm is PVM (kvm_pvm), which cannot run a stock kernel");
        }
        if (!hw) {
            return new AccelChoice(Accel.TCG, "TCG: the CPU has no hardware virtualization (no vmx/svm in /proc/cpuinfo)");
        }
        if (!kvmUsable) {
            return new AccelChoice(Accel.TCG, "TCG: /dev/kvm is missing or not readable and writable");
        }
        return new AccelChoice(Accel.KVM, "KVM: hardware virtualization ("
                + (cpuFlags.contains("vmx") ? "vmx" : "svm") + ") and a usable /dev/kvm");
    }

    /** The decision for this host. */
    public static AccelChoice forThisHost() {
        Path kvm = Path.of("/dev/kvm");
        boolean usable = Files.exists(kvm) && Files.isReadable(kvm) && Files.isWritable(kvm);
        boolean pvm = Files.isDirectory(Path.of("/sys/module/kvm_pvm"));
        return choose(cpuFlags(cpuinfo()), usable, pvm);
    }

    /** An explicit choice ({@code --accel}). */
    public static AccelChoice given(Accel accel) {
        return new AccelChoice(accel, accel.name() + ": chosen with --accel");
    }

    /** The text of /proc/cpuinfo, or "" when it cannot be read. */
    public static String cpuinfo() {
        try {
            return Files.readString(Path.of("/proc/cpuinfo"));
        } catch (IOException e) {
            return "";
        }
    }

    /** The flags of the first CPU in {@code cpuinfo}. */
    public static Set<String> cpuFlags(String cpuinfo) {
        for (String line : cpuinfo.split("\n")) {
            if (line.startsWith("flags")) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    return Arrays.stream(line.substring(colon + 1).trim().split("\\s+")).collect(Collectors.toSet());
                }
            }
        }
        return Set.of();
    }

    /**
     * Kernel parameters a guest needs under TCG on this host. Under TCG the guest's TSC is the
     * host's; the kernel calibrates it against the PIT, which fails now and then on a busy host
     * ("Unable to calibrate against PIT", then no HPET or PM timer on microvm: the boot hangs).
     * Giving the frequency ({@code tsc_early_khz}) skips the calibration. Only with an invariant TSC
     * (constant_tsc and nonstop_tsc), whose frequency /proc/cpuinfo's "cpu MHz" then shows.
     */
    public static List<String> tcgKernelParameters(String cpuinfo) {
        Set<String> flags = cpuFlags(cpuinfo);
        if (!flags.contains("constant_tsc") || !flags.contains("nonstop_tsc")) {
            return List.of();
        }
        for (String line : cpuinfo.split("\n")) {
            if (line.startsWith("cpu MHz")) {
                int colon = line.indexOf(':');
                try {
                    double mhz = Double.parseDouble(line.substring(colon + 1).trim());
                    if (mhz >= 100 && mhz < 100_000) {
                        return List.of("tsc_early_khz=" + Math.round(mhz * 1000), "tsc=reliable");
                    }
                } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
                    return List.of();
                }
            }
        }
        return List.of();
    }
}
