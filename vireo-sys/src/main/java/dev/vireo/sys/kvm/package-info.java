/**
 * KVM's fd hierarchy, {@link dev.vireo.sys.kvm.KvmSystem} → {@link dev.vireo.sys.kvm.VmFd} →
 * {@link dev.vireo.sys.kvm.VcpuFd}, each owning its descriptor (the shape of rust-vmm's
 * kvm-ioctls).
 */
package dev.vireo.sys.kvm;
