/**
 * The machine: for now the QEMU launcher behind {@code vireo run}; later vireo's own KVM monitor
 * (x86 boot, vCPU loop, platform devices, virtio transports).
 */
package dev.vireo.vmm;
