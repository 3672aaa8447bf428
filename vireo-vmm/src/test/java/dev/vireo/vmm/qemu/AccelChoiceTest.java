package dev.vireo.vmm.qemu;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The accelerator decision, from host facts. */
class AccelChoiceTest {

    @Test
    void kvmOnlyWithHardwareVirtualizationAndNotOnPvm() {
        assertThat(AccelChoice.choose(Set.of("vmx", "sse2"), true, false).accel()).isEqualTo(Accel.KVM);
        assertThat(AccelChoice.choose(Set.of("svm"), true, false).accel()).isEqualTo(Accel.KVM);
        assertThat(AccelChoice.choose(Set.of("svm"), true, true).reason()).contains("PVM");
        assertThat(AccelChoice.choose(Set.of("svm"), true, true).accel()).isEqualTo(Accel.TCG);
        assertThat(AccelChoice.choose(Set.of("sse2"), true, false).accel()).isEqualTo(Accel.TCG);
        assertThat(AccelChoice.choose(Set.of("vmx"), false, false).reason()).contains("/dev/kvm");
    }

    @Test
    void thisHostIsDecidedFromItsOwnFacts() {
        AccelChoice c = AccelChoice.forThisHost();
        Set<String> flags = AccelChoice.cpuFlags(AccelChoice.cpuinfo());
        if (!flags.contains("vmx") && !flags.contains("svm")) {
            assertThat(c.accel()).isEqualTo(Accel.TCG);
        }
        assertThat(c.reason()).startsWith(c.accel().name());
    }

    @Test
    void tcgGetsTheTscFrequencyOnlyWithAnInvariantTsc() {
        String cpuinfo = "processor\t: 0\ncpu MHz\t\t: 2445.430\nflags\t\t: fpu tsc constant_tsc nonstop_tsc\n";
        assertThat(AccelChoice.tcgKernelParameters(cpuinfo)).containsExactly("tsc_early_khz=2445430", "tsc=reliable");
        assertThat(AccelChoice.tcgKernelParameters(cpuinfo.replace(" nonstop_tsc", ""))).isEmpty();
        assertThat(AccelChoice.tcgKernelParameters("flags: constant_tsc nonstop_tsc\ncpu MHz: lots\n")).isEmpty();
    }

    @Test
    void namesParse() {
        assertThat(Accel.parse("KVM")).isEqualTo(Accel.KVM);
        assertThat(Machine.parse("q35")).isEqualTo(Machine.Q35);
    }
}
