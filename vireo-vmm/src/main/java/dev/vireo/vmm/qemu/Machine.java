package dev.vireo.vmm.qemu;

/**
 * The QEMU machine type. microvm boots fastest (no firmware, no PCI) but its guest finds its
 * virtio-mmio devices only through ACPI; q35 is the fallback with virtio over PCI.
 */
public enum Machine {
    /** {@code -M microvm,acpi=on}: virtio-mmio devices described in ACPI. */
    MICROVM("microvm"),
    /** {@code -M q35}: virtio-pci devices. */
    Q35("q35");

    private final String qemuName;

    Machine(String qemuName) {
        this.qemuName = qemuName;
    }

    public String qemuName() {
        return qemuName;
    }

    /** Parses "microvm" or "q35". */
    public static Machine parse(String s) {
        for (Machine m : values()) {
            if (m.qemuName.equalsIgnoreCase(s)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown machine '" + s + "' (microvm or q35)");
    }

    /** The kernel modules the guest needs for its virtio transport on this machine. */
    public String transportModule() {
        return this == MICROVM ? "virtio_mmio" : "virtio_pci";
    }
}
