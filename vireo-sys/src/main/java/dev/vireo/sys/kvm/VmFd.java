package dev.vireo.sys.kvm;

import dev.vireo.sys.Fd;
import dev.vireo.sys.Ioctl;
import dev.vireo.sys.abi.kvm.Kvm;
import dev.vireo.sys.abi.kvm.KvmIoeventfd;
import dev.vireo.sys.abi.kvm.KvmIrqfd;
import dev.vireo.sys.abi.kvm.KvmPitConfig;
import dev.vireo.sys.abi.kvm.KvmUserspaceMemoryRegion;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** A KVM virtual machine fd: memory slots, the in-kernel irqchip and PIT, vCPUs, irqfd and ioeventfd. */
public final class VmFd implements AutoCloseable {

    private final Fd fd;
    private final int vcpuMmapSize;

    VmFd(Fd fd, int vcpuMmapSize) {
        this.fd = fd;
        this.vcpuMmapSize = vcpuMmapSize;
    }

    /** The raw fd, for diagnostics. */
    public Fd fd() {
        return fd;
    }

    /** KVM_CHECK_EXTENSION on the VM (some capabilities are per VM). */
    public int checkExtension(int cap) {
        return Ioctl.ioctl(fd.num(), Kvm.KVM_CHECK_EXTENSION, cap, "KVM_CHECK_EXTENSION");
    }

    /**
     * KVM_SET_USER_MEMORY_REGION: maps {@code host} (page aligned) at guest-physical address
     * {@code guestPhysAddr} in slot {@code slot}. A size of 0 deletes the slot. The caller keeps
     * {@code host} mapped until the slot is deleted or the VM closed.
     */
    public void setUserMemoryRegion(int slot, int flags, long guestPhysAddr, MemorySegment host) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment r = a.allocate(KvmUserspaceMemoryRegion.LAYOUT);
            KvmUserspaceMemoryRegion.slot(r, slot);
            KvmUserspaceMemoryRegion.flags(r, flags);
            KvmUserspaceMemoryRegion.guestPhysAddr(r, guestPhysAddr);
            KvmUserspaceMemoryRegion.memorySize(r, host.byteSize());
            KvmUserspaceMemoryRegion.userspaceAddr(r, host.address());
            Ioctl.ioctl(fd.num(), Kvm.KVM_SET_USER_MEMORY_REGION, r, "KVM_SET_USER_MEMORY_REGION");
        }
    }

    /** KVM_SET_TSS_ADDR: three pages of guest-physical space Intel VMX needs for real mode. */
    public void setTssAddr(long address) {
        Ioctl.ioctl(fd.num(), Kvm.KVM_SET_TSS_ADDR, address, "KVM_SET_TSS_ADDR");
    }

    /** KVM_CREATE_IRQCHIP: in-kernel PIC, IOAPIC and local APICs. */
    public void createIrqchip() {
        Ioctl.ioctl(fd.num(), Kvm.KVM_CREATE_IRQCHIP, 0, "KVM_CREATE_IRQCHIP");
    }

    /** KVM_CREATE_PIT2 with default flags. */
    public void createPit2() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment c = a.allocate(KvmPitConfig.LAYOUT);
            Ioctl.ioctl(fd.num(), Kvm.KVM_CREATE_PIT2, c, "KVM_CREATE_PIT2");
        }
    }

    /** KVM_IRQFD: a write to {@code eventFd} raises guest interrupt {@code gsi}. */
    public void irqfd(int eventFd, int gsi, boolean deassign) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(KvmIrqfd.LAYOUT);
            KvmIrqfd.fd(s, eventFd);
            KvmIrqfd.gsi(s, gsi);
            KvmIrqfd.flags(s, deassign ? Kvm.KVM_IRQFD_FLAG_DEASSIGN : 0);
            Ioctl.ioctl(fd.num(), Kvm.KVM_IRQFD, s, "KVM_IRQFD");
        }
    }

    /**
     * KVM_IOEVENTFD: a guest write of {@code len} bytes to {@code address} (MMIO, or a port when
     * {@code pio}) signals {@code eventFd} inside the kernel, without an exit to user space.
     */
    public void ioeventfd(int eventFd, long address, int len, boolean pio, boolean deassign) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(KvmIoeventfd.LAYOUT);
            KvmIoeventfd.addr(s, address);
            KvmIoeventfd.len(s, len);
            KvmIoeventfd.fd(s, eventFd);
            int flags = (pio ? Kvm.KVM_IOEVENTFD_FLAG_PIO : 0) | (deassign ? Kvm.KVM_IOEVENTFD_FLAG_DEASSIGN : 0);
            KvmIoeventfd.flags(s, flags);
            Ioctl.ioctl(fd.num(), Kvm.KVM_IOEVENTFD, s, "KVM_IOEVENTFD");
        }
    }

    /** KVM_CREATE_VCPU and the mapping of its kvm_run page. */
    public VcpuFd createVcpu(int id) {
        int vcpu = Ioctl.ioctl(fd.num(), Kvm.KVM_CREATE_VCPU, id, "KVM_CREATE_VCPU");
        return VcpuFd.create(Fd.adopt(vcpu, "kvm-vcpu-" + id), vcpuMmapSize);
    }

    @Override
    public void close() {
        fd.close();
    }
}
