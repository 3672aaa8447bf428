package dev.vireo.sys.abi.kvm;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/** {@code struct kvm_userspace_memory_region}: one guest memory slot (KVM_SET_USER_MEMORY_REGION). */
@CStruct(value = "struct kvm_userspace_memory_region", headers = "linux/kvm.h")
public final class KvmUserspaceMemoryRegion {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("slot"),
            JAVA_INT.withName("flags"),
            JAVA_LONG.withName("guest_phys_addr"),
            JAVA_LONG.withName("memory_size"),
            JAVA_LONG.withName("userspace_addr"));

    private static final long SLOT = Layouts.offset(LAYOUT, "slot");
    private static final long FLAGS = Layouts.offset(LAYOUT, "flags");
    private static final long GUEST_PHYS_ADDR = Layouts.offset(LAYOUT, "guest_phys_addr");
    private static final long MEMORY_SIZE = Layouts.offset(LAYOUT, "memory_size");
    private static final long USERSPACE_ADDR = Layouts.offset(LAYOUT, "userspace_addr");

    private KvmUserspaceMemoryRegion() {
    }

    public static int slot(MemorySegment s) {
        return s.get(JAVA_INT, SLOT);
    }

    public static void slot(MemorySegment s, int v) {
        s.set(JAVA_INT, SLOT, v);
    }

    public static int flags(MemorySegment s) {
        return s.get(JAVA_INT, FLAGS);
    }

    public static void flags(MemorySegment s, int v) {
        s.set(JAVA_INT, FLAGS, v);
    }

    public static long guestPhysAddr(MemorySegment s) {
        return s.get(JAVA_LONG, GUEST_PHYS_ADDR);
    }

    public static void guestPhysAddr(MemorySegment s, long v) {
        s.set(JAVA_LONG, GUEST_PHYS_ADDR, v);
    }

    public static long memorySize(MemorySegment s) {
        return s.get(JAVA_LONG, MEMORY_SIZE);
    }

    public static void memorySize(MemorySegment s, long v) {
        s.set(JAVA_LONG, MEMORY_SIZE, v);
    }

    public static long userspaceAddr(MemorySegment s) {
        return s.get(JAVA_LONG, USERSPACE_ADDR);
    }

    public static void userspaceAddr(MemorySegment s, long v) {
        s.set(JAVA_LONG, USERSPACE_ADDR, v);
    }
}
