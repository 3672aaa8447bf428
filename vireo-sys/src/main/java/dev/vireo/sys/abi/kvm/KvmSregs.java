package dev.vireo.sys.abi.kvm;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** {@code struct kvm_sregs}: segment, descriptor-table and control registers (KVM_GET_SREGS/KVM_SET_SREGS). */
@CStruct(value = "struct kvm_sregs", headers = "linux/kvm.h")
public final class KvmSregs {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            KvmSegment.LAYOUT.withName("cs"),
            KvmSegment.LAYOUT.withName("ds"),
            KvmSegment.LAYOUT.withName("es"),
            KvmSegment.LAYOUT.withName("fs"),
            KvmSegment.LAYOUT.withName("gs"),
            KvmSegment.LAYOUT.withName("ss"),
            KvmSegment.LAYOUT.withName("tr"),
            KvmSegment.LAYOUT.withName("ldt"),
            KvmDtable.LAYOUT.withName("gdt"),
            KvmDtable.LAYOUT.withName("idt"),
            JAVA_LONG.withName("cr0"),
            JAVA_LONG.withName("cr2"),
            JAVA_LONG.withName("cr3"),
            JAVA_LONG.withName("cr4"),
            JAVA_LONG.withName("cr8"),
            JAVA_LONG.withName("efer"),
            JAVA_LONG.withName("apic_base"),
            MemoryLayout.sequenceLayout(4, JAVA_LONG).withName("interrupt_bitmap"));

    private static final long CR0 = Layouts.offset(LAYOUT, "cr0");
    private static final long CR3 = Layouts.offset(LAYOUT, "cr3");
    private static final long CR4 = Layouts.offset(LAYOUT, "cr4");
    private static final long EFER = Layouts.offset(LAYOUT, "efer");

    private KvmSregs() {
    }

    /** A {@link KvmSegment} view of the named segment register ("cs", "ds", ..., "tr", "ldt"). */
    public static MemorySegment segment(MemorySegment s, String name) {
        return s.asSlice(Layouts.offset(LAYOUT, name), KvmSegment.LAYOUT);
    }

    /** A {@link KvmDtable} view of "gdt" or "idt". */
    public static MemorySegment dtable(MemorySegment s, String name) {
        return s.asSlice(Layouts.offset(LAYOUT, name), KvmDtable.LAYOUT);
    }

    public static long cr0(MemorySegment s) {
        return s.get(JAVA_LONG, CR0);
    }

    public static void cr0(MemorySegment s, long v) {
        s.set(JAVA_LONG, CR0, v);
    }

    public static long cr3(MemorySegment s) {
        return s.get(JAVA_LONG, CR3);
    }

    public static void cr3(MemorySegment s, long v) {
        s.set(JAVA_LONG, CR3, v);
    }

    public static long cr4(MemorySegment s) {
        return s.get(JAVA_LONG, CR4);
    }

    public static void cr4(MemorySegment s, long v) {
        s.set(JAVA_LONG, CR4, v);
    }

    public static long efer(MemorySegment s) {
        return s.get(JAVA_LONG, EFER);
    }

    public static void efer(MemorySegment s, long v) {
        s.set(JAVA_LONG, EFER, v);
    }
}
