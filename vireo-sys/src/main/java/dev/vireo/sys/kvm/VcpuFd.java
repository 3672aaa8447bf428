package dev.vireo.sys.kvm;

import dev.vireo.sys.Fd;
import dev.vireo.sys.Ioctl;
import dev.vireo.sys.Mapping;
import dev.vireo.sys.MemCalls;
import dev.vireo.sys.abi.kvm.Kvm;

import java.lang.foreign.MemorySegment;

/**
 * A vCPU fd and its mapped {@code kvm_run} page. {@link #run()} blocks in KVM_RUN and must be
 * called from a platform thread (never a virtual thread: it pins a carrier for as long as the guest
 * runs).
 */
public final class VcpuFd implements AutoCloseable {

    private final Fd fd;
    private final Mapping run;

    private VcpuFd(Fd fd, Mapping run) {
        this.fd = fd;
        this.run = run;
    }

    static VcpuFd create(Fd fd, int mmapSize) {
        try {
            Mapping run = MemCalls.mmap(mmapSize, MemCalls.PROT_READ | MemCalls.PROT_WRITE, MemCalls.MAP_SHARED, fd.num(), 0);
            return new VcpuFd(fd, run);
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /** The shared kvm_run page; read it with {@link dev.vireo.sys.abi.kvm.KvmRun}. */
    public MemorySegment kvmRun() {
        return run.segment();
    }

    /**
     * KVM_RUN: enters the guest until an exit that needs user space. Returns {@code false} when a
     * signal interrupted the run (the owner's way of stopping it), {@code true} otherwise; the exit
     * reason is in {@link #kvmRun()}.
     */
    public boolean run() {
        return Ioctl.ioctlInterruptible(fd.num(), Kvm.KVM_RUN, 0, "KVM_RUN") >= 0;
    }

    /** KVM_GET_REGS into a {@link dev.vireo.sys.abi.kvm.KvmRegs} segment. */
    public void getRegs(MemorySegment regs) {
        Ioctl.ioctl(fd.num(), Kvm.KVM_GET_REGS, regs, "KVM_GET_REGS");
    }

    /** KVM_SET_REGS from a {@link dev.vireo.sys.abi.kvm.KvmRegs} segment. */
    public void setRegs(MemorySegment regs) {
        Ioctl.ioctl(fd.num(), Kvm.KVM_SET_REGS, regs, "KVM_SET_REGS");
    }

    /** KVM_GET_SREGS into a {@link dev.vireo.sys.abi.kvm.KvmSregs} segment. */
    public void getSregs(MemorySegment sregs) {
        Ioctl.ioctl(fd.num(), Kvm.KVM_GET_SREGS, sregs, "KVM_GET_SREGS");
    }

    /** KVM_SET_SREGS from a {@link dev.vireo.sys.abi.kvm.KvmSregs} segment. */
    public void setSregs(MemorySegment sregs) {
        Ioctl.ioctl(fd.num(), Kvm.KVM_SET_SREGS, sregs, "KVM_SET_SREGS");
    }

    /** KVM_SET_CPUID2 from a {@link dev.vireo.sys.abi.kvm.KvmCpuid2}. */
    public void setCpuid2(MemorySegment cpuid) {
        Ioctl.ioctl(fd.num(), Kvm.KVM_SET_CPUID2, cpuid, "KVM_SET_CPUID2");
    }

    /** Unmaps kvm_run, then closes the fd (kernel order). */
    @Override
    public void close() {
        run.close();
        fd.close();
    }
}
