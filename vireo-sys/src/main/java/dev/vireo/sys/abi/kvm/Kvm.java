package dev.vireo.sys.abi.kvm;

import dev.vireo.sys.Ioctl;
import dev.vireo.sys.abi.CConstants;

/**
 * The KVM API's ioctl numbers and flags ({@code linux/kvm.h}), checked against the installed
 * headers by {@code HeaderCheckTest}. Each ioctl's comment shows its C definition. The capability
 * numbers are in {@link KvmCap}, the exit reasons in {@link KvmExit}.
 */
@CConstants(headers = "linux/kvm.h")
public final class Kvm {

    public static final int KVM_API_VERSION = 12;
    public static final int KVM_MEM_LOG_DIRTY_PAGES = 1;
    public static final int KVM_MEM_READONLY = 2;
    public static final int KVM_IOEVENTFD_FLAG_DATAMATCH = 1;
    public static final int KVM_IOEVENTFD_FLAG_PIO = 2;
    public static final int KVM_IOEVENTFD_FLAG_DEASSIGN = 4;
    public static final int KVM_IOEVENTFD_FLAG_VIRTIO_CCW_NOTIFY = 8;
    public static final int KVMIO = 174;
    public static final int KVM_IRQFD_FLAG_DEASSIGN = 1;
    public static final int KVM_IRQFD_FLAG_RESAMPLE = 2;

    // System ioctls, on the /dev/kvm fd.
    /** {@code _IO(KVMIO, 0x00)} */
    public static final long KVM_GET_API_VERSION = Ioctl.io(KVMIO, 0x00);
    /** {@code _IO(KVMIO, 0x01)}, argument: machine type (0). */
    public static final long KVM_CREATE_VM = Ioctl.io(KVMIO, 0x01);
    /** {@code _IO(KVMIO, 0x03)}, argument: a KVM_CAP_* number. */
    public static final long KVM_CHECK_EXTENSION = Ioctl.io(KVMIO, 0x03);
    /** {@code _IO(KVMIO, 0x04)}: size of the kvm_run mapping. */
    public static final long KVM_GET_VCPU_MMAP_SIZE = Ioctl.io(KVMIO, 0x04);
    /** {@code _IOWR(KVMIO, 0x05, struct kvm_cpuid2)} */
    public static final long KVM_GET_SUPPORTED_CPUID = Ioctl.iowr(KVMIO, 0x05, KvmCpuid2.LAYOUT.byteSize());

    // VM ioctls, on a VM fd.
    /** {@code _IO(KVMIO, 0x41)}, argument: vCPU id. */
    public static final long KVM_CREATE_VCPU = Ioctl.io(KVMIO, 0x41);
    /** {@code _IOW(KVMIO, 0x46, struct kvm_userspace_memory_region)} */
    public static final long KVM_SET_USER_MEMORY_REGION = Ioctl.iow(KVMIO, 0x46, KvmUserspaceMemoryRegion.LAYOUT.byteSize());
    /** {@code _IO(KVMIO, 0x47)}, argument: guest address of three free pages. */
    public static final long KVM_SET_TSS_ADDR = Ioctl.io(KVMIO, 0x47);
    /** {@code _IOW(KVMIO, 0x48, __u64)} */
    public static final long KVM_SET_IDENTITY_MAP_ADDR = Ioctl.iow(KVMIO, 0x48, Long.BYTES);
    /** {@code _IO(KVMIO, 0x60)} */
    public static final long KVM_CREATE_IRQCHIP = Ioctl.io(KVMIO, 0x60);
    /** {@code _IOW(KVMIO, 0x61, struct kvm_irq_level)} */
    public static final long KVM_IRQ_LINE = Ioctl.iow(KVMIO, 0x61, KvmIrqLevel.LAYOUT.byteSize());
    /** {@code _IOW(KVMIO, 0x76, struct kvm_irqfd)} */
    public static final long KVM_IRQFD = Ioctl.iow(KVMIO, 0x76, KvmIrqfd.LAYOUT.byteSize());
    /** {@code _IOW(KVMIO, 0x77, struct kvm_pit_config)} */
    public static final long KVM_CREATE_PIT2 = Ioctl.iow(KVMIO, 0x77, KvmPitConfig.LAYOUT.byteSize());
    /** {@code _IOW(KVMIO, 0x79, struct kvm_ioeventfd)} */
    public static final long KVM_IOEVENTFD = Ioctl.iow(KVMIO, 0x79, KvmIoeventfd.LAYOUT.byteSize());

    // vCPU ioctls, on a vCPU fd.
    /** {@code _IO(KVMIO, 0x80)} */
    public static final long KVM_RUN = Ioctl.io(KVMIO, 0x80);
    /** {@code _IOR(KVMIO, 0x81, struct kvm_regs)} */
    public static final long KVM_GET_REGS = Ioctl.ior(KVMIO, 0x81, KvmRegs.LAYOUT.byteSize());
    /** {@code _IOW(KVMIO, 0x82, struct kvm_regs)} */
    public static final long KVM_SET_REGS = Ioctl.iow(KVMIO, 0x82, KvmRegs.LAYOUT.byteSize());
    /** {@code _IOR(KVMIO, 0x83, struct kvm_sregs)} */
    public static final long KVM_GET_SREGS = Ioctl.ior(KVMIO, 0x83, KvmSregs.LAYOUT.byteSize());
    /** {@code _IOW(KVMIO, 0x84, struct kvm_sregs)} */
    public static final long KVM_SET_SREGS = Ioctl.iow(KVMIO, 0x84, KvmSregs.LAYOUT.byteSize());
    /** {@code _IOWR(KVMIO, 0x88, struct kvm_msrs)} */
    public static final long KVM_GET_MSRS = Ioctl.iowr(KVMIO, 0x88, KvmMsrs.LAYOUT.byteSize());
    /** {@code _IOW(KVMIO, 0x89, struct kvm_msrs)} */
    public static final long KVM_SET_MSRS = Ioctl.iow(KVMIO, 0x89, KvmMsrs.LAYOUT.byteSize());
    /** {@code _IOW(KVMIO, 0x90, struct kvm_cpuid2)} */
    public static final long KVM_SET_CPUID2 = Ioctl.iow(KVMIO, 0x90, KvmCpuid2.LAYOUT.byteSize());

    private Kvm() {
    }
}
