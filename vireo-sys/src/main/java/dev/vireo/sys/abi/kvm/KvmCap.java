package dev.vireo.sys.abi.kvm;

import dev.vireo.sys.abi.CConstants;

/**
 * {@code KVM_CAP_*} capability numbers for KVM_CHECK_EXTENSION (those meaningful on x86).
 * {@code vireo sys-info} reports each one the host's KVM supports.
 */
@CConstants(headers = "linux/kvm.h")
public final class KvmCap {

    public static final int KVM_CAP_IRQCHIP = 0;
    public static final int KVM_CAP_HLT = 1;
    public static final int KVM_CAP_MMU_SHADOW_CACHE_CONTROL = 2;
    public static final int KVM_CAP_USER_MEMORY = 3;
    public static final int KVM_CAP_SET_TSS_ADDR = 4;
    public static final int KVM_CAP_VAPIC = 6;
    public static final int KVM_CAP_EXT_CPUID = 7;
    public static final int KVM_CAP_CLOCKSOURCE = 8;
    public static final int KVM_CAP_NR_VCPUS = 9;
    public static final int KVM_CAP_NR_MEMSLOTS = 10;
    public static final int KVM_CAP_PIT = 11;
    public static final int KVM_CAP_NOP_IO_DELAY = 12;
    public static final int KVM_CAP_PV_MMU = 13;
    public static final int KVM_CAP_COALESCED_MMIO = 15;
    public static final int KVM_CAP_SYNC_MMU = 16;
    public static final int KVM_CAP_IOMMU = 18;
    public static final int KVM_CAP_DESTROY_MEMORY_REGION_WORKS = 21;
    public static final int KVM_CAP_USER_NMI = 22;
    public static final int KVM_CAP_SET_GUEST_DEBUG = 23;
    public static final int KVM_CAP_REINJECT_CONTROL = 24;
    public static final int KVM_CAP_IRQ_ROUTING = 25;
    public static final int KVM_CAP_IRQ_INJECT_STATUS = 26;
    public static final int KVM_CAP_ASSIGN_DEV_IRQ = 29;
    public static final int KVM_CAP_JOIN_MEMORY_REGIONS_WORKS = 30;
    public static final int KVM_CAP_MCE = 31;
    public static final int KVM_CAP_IRQFD = 32;
    public static final int KVM_CAP_PIT2 = 33;
    public static final int KVM_CAP_SET_BOOT_CPU_ID = 34;
    public static final int KVM_CAP_PIT_STATE2 = 35;
    public static final int KVM_CAP_IOEVENTFD = 36;
    public static final int KVM_CAP_SET_IDENTITY_MAP_ADDR = 37;
    public static final int KVM_CAP_ADJUST_CLOCK = 39;
    public static final int KVM_CAP_INTERNAL_ERROR_DATA = 40;
    public static final int KVM_CAP_VCPU_EVENTS = 41;
    public static final int KVM_CAP_PCI_SEGMENT = 47;
    public static final int KVM_CAP_INTR_SHADOW = 49;
    public static final int KVM_CAP_DEBUGREGS = 50;
    public static final int KVM_CAP_X86_ROBUST_SINGLESTEP = 51;
    public static final int KVM_CAP_ENABLE_CAP = 54;
    public static final int KVM_CAP_XSAVE = 55;
    public static final int KVM_CAP_XCRS = 56;
    public static final int KVM_CAP_ASYNC_PF = 59;
    public static final int KVM_CAP_TSC_CONTROL = 60;
    public static final int KVM_CAP_GET_TSC_KHZ = 61;
    public static final int KVM_CAP_MAX_VCPUS = 66;
    public static final int KVM_CAP_SW_TLB = 69;
    public static final int KVM_CAP_ONE_REG = 70;
    public static final int KVM_CAP_TSC_DEADLINE_TIMER = 72;
    public static final int KVM_CAP_PCI_2_3 = 75;
    public static final int KVM_CAP_KVMCLOCK_CTRL = 76;
    public static final int KVM_CAP_SIGNAL_MSI = 77;
    public static final int KVM_CAP_READONLY_MEM = 81;
    public static final int KVM_CAP_IRQFD_RESAMPLE = 82;
    public static final int KVM_CAP_DEVICE_CTRL = 89;
    public static final int KVM_CAP_IRQ_MPIC = 90;
    public static final int KVM_CAP_IRQ_XICS = 92;
    public static final int KVM_CAP_EXT_EMUL_CPUID = 95;
    public static final int KVM_CAP_IOAPIC_POLARITY_IGNORED = 97;
    public static final int KVM_CAP_IOEVENTFD_NO_LENGTH = 100;
    public static final int KVM_CAP_VM_ATTRIBUTES = 101;
    public static final int KVM_CAP_CHECK_EXTENSION_VM = 105;
    public static final int KVM_CAP_DISABLE_QUIRKS = 116;
    public static final int KVM_CAP_X86_SMM = 117;
    public static final int KVM_CAP_MULTI_ADDRESS_SPACE = 118;
    public static final int KVM_CAP_GUEST_DEBUG_HW_BPS = 119;
    public static final int KVM_CAP_GUEST_DEBUG_HW_WPS = 120;
    public static final int KVM_CAP_SPLIT_IRQCHIP = 121;
    public static final int KVM_CAP_IOEVENTFD_ANY_LENGTH = 122;
    public static final int KVM_CAP_VCPU_ATTRIBUTES = 127;
    public static final int KVM_CAP_MAX_VCPU_ID = 128;
    public static final int KVM_CAP_X2APIC_API = 129;
    public static final int KVM_CAP_MSI_DEVID = 131;
    public static final int KVM_CAP_IMMEDIATE_EXIT = 136;
    public static final int KVM_CAP_X86_DISABLE_EXITS = 143;
    public static final int KVM_CAP_GET_MSR_FEATURES = 153;
    public static final int KVM_CAP_NESTED_STATE = 157;
    public static final int KVM_CAP_MSR_PLATFORM_INFO = 159;
    public static final int KVM_CAP_COALESCED_PIO = 162;
    public static final int KVM_CAP_EXCEPTION_PAYLOAD = 164;
    public static final int KVM_CAP_MANUAL_DIRTY_LOG_PROTECT = 166;
    public static final int KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 = 168;
    public static final int KVM_CAP_PMU_EVENT_FILTER = 173;
    public static final int KVM_CAP_HALT_POLL = 182;
    public static final int KVM_CAP_ASYNC_PF_INT = 183;
    public static final int KVM_CAP_LAST_CPU = 184;
    public static final int KVM_CAP_SMALLER_MAXPHYADDR = 185;
    public static final int KVM_CAP_STEAL_TIME = 187;
    public static final int KVM_CAP_X86_USER_SPACE_MSR = 188;
    public static final int KVM_CAP_X86_MSR_FILTER = 189;
    public static final int KVM_CAP_ENFORCE_PV_FEATURE_CPUID = 190;
    public static final int KVM_CAP_SYS_HYPERV_CPUID = 191;
    public static final int KVM_CAP_DIRTY_LOG_RING = 192;
    public static final int KVM_CAP_X86_BUS_LOCK_EXIT = 193;
    public static final int KVM_CAP_SET_GUEST_DEBUG2 = 195;
    public static final int KVM_CAP_VM_COPY_ENC_CONTEXT_FROM = 197;
    public static final int KVM_CAP_PTP_KVM = 198;
    public static final int KVM_CAP_SREGS2 = 200;
    public static final int KVM_CAP_EXIT_HYPERCALL = 201;
    public static final int KVM_CAP_BINARY_STATS_FD = 203;
    public static final int KVM_CAP_EXIT_ON_EMULATION_FAILURE = 204;
    public static final int KVM_CAP_VM_MOVE_ENC_CONTEXT_FROM = 206;
    public static final int KVM_CAP_VM_GPA_BITS = 207;
    public static final int KVM_CAP_XSAVE2 = 208;
    public static final int KVM_CAP_SYS_ATTRIBUTES = 209;
    public static final int KVM_CAP_PMU_CAPABILITY = 212;
    public static final int KVM_CAP_DISABLE_QUIRKS2 = 213;
    public static final int KVM_CAP_VM_TSC_CONTROL = 214;
    public static final int KVM_CAP_SYSTEM_EVENT_DATA = 215;
    public static final int KVM_CAP_X86_TRIPLE_FAULT_EVENT = 218;
    public static final int KVM_CAP_X86_NOTIFY_VMEXIT = 219;
    public static final int KVM_CAP_VM_DISABLE_NX_HUGE_PAGES = 220;
    public static final int KVM_CAP_DIRTY_LOG_RING_ACQ_REL = 223;

    private KvmCap() {
    }
}
