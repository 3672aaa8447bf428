package dev.vireo.sys.kvm;

import dev.vireo.sys.Fd;
import dev.vireo.sys.FsCalls;
import dev.vireo.sys.Ioctl;
import dev.vireo.sys.abi.kvm.Kvm;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The KVM system fd ({@code /dev/kvm}): API version, capabilities, VM creation. The top of the
 * fd hierarchy {@code KvmSystem → VmFd → VcpuFd} (kvm-ioctls' shape); each level owns its fd.
 */
public final class KvmSystem implements AutoCloseable {

    /** The device node. */
    public static final Path DEVICE = Path.of("/dev/kvm");

    private final Fd fd;

    private KvmSystem(Fd fd) {
        this.fd = fd;
    }

    /** Opens /dev/kvm and checks the API version (12, stable since Linux 2.6.22). */
    public static KvmSystem open() {
        Fd fd = Fd.adopt(FsCalls.open(DEVICE.toString(), FsCalls.O_RDWR | FsCalls.O_CLOEXEC, 0), DEVICE.toString());
        KvmSystem kvm = new KvmSystem(fd);
        int version = kvm.apiVersion();
        if (version != Kvm.KVM_API_VERSION) {
            kvm.close();
            throw new IllegalStateException("KVM API version " + version + ", expected " + Kvm.KVM_API_VERSION);
        }
        return kvm;
    }

    /**
     * Whether the host's KVM is PVM (the kvm_pvm module: software virtualization without VMX/SVM),
     * on which an unmodified Linux kernel cannot run.
     */
    public static boolean isPvm() {
        return Files.isDirectory(Path.of("/sys/module/kvm_pvm"));
    }

    /** KVM_GET_API_VERSION. */
    public int apiVersion() {
        return Ioctl.ioctl(fd.num(), Kvm.KVM_GET_API_VERSION, 0, "KVM_GET_API_VERSION");
    }

    /** KVM_CHECK_EXTENSION: 0 when {@code cap} is unsupported, otherwise a capability-specific value (often 1). */
    public int checkExtension(int cap) {
        return Ioctl.ioctl(fd.num(), Kvm.KVM_CHECK_EXTENSION, cap, "KVM_CHECK_EXTENSION");
    }

    /** KVM_GET_VCPU_MMAP_SIZE: bytes to map from each vCPU fd (kvm_run and what follows it). */
    public int vcpuMmapSize() {
        return Ioctl.ioctl(fd.num(), Kvm.KVM_GET_VCPU_MMAP_SIZE, 0, "KVM_GET_VCPU_MMAP_SIZE");
    }

    /** KVM_CREATE_VM with the default machine type. */
    public VmFd createVm() {
        int vm = Ioctl.ioctl(fd.num(), Kvm.KVM_CREATE_VM, 0, "KVM_CREATE_VM");
        return new VmFd(Fd.adopt(vm, "kvm-vm"), vcpuMmapSize());
    }

    @Override
    public void close() {
        fd.close();
    }
}
