package dev.vireo.vmm.qemu;

/** How QEMU runs the guest's CPUs. */
public enum Accel {
    /** Hardware virtualization through /dev/kvm (VMX or SVM). */
    KVM("kvm"),
    /** QEMU's translator: slower, but runs anywhere. */
    TCG("tcg");

    private final String qemuName;

    Accel(String qemuName) {
        this.qemuName = qemuName;
    }

    /** The name QEMU's {@code -accel} takes. */
    public String qemuName() {
        return qemuName;
    }

    /** Parses "kvm" or "tcg". */
    public static Accel parse(String s) {
        for (Accel a : values()) {
            if (a.qemuName.equalsIgnoreCase(s)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown accelerator '" + s + "' (kvm or tcg)");
    }
}
