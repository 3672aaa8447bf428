/** Structs and constants of the KVM API ({@code linux/kvm.h}, {@code asm/kvm.h}). */
package dev.vireo.sys.abi.kvm;
