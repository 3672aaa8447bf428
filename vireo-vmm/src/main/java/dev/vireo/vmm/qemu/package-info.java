/**
 * QEMU as the CPU side of {@code vireo run}: the command line (a pure function), the accelerator
 * choice, and the child-process lifecycle.
 */
package dev.vireo.vmm.qemu;
