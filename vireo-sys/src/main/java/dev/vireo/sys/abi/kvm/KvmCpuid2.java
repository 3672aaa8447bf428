package dev.vireo.sys.abi.kvm;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * {@code struct kvm_cpuid2}: a count followed by a flexible array of {@link KvmCpuidEntry2}
 * (KVM_GET_SUPPORTED_CPUID, KVM_SET_CPUID2). Allocate with {@link #allocate}, which bounds the
 * count by {@link #MAX_ENTRIES} (kvm-bindings' limit).
 */
@CStruct(value = "struct kvm_cpuid2", headers = "linux/kvm.h")
public final class KvmCpuid2 {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("nent"),
            JAVA_INT.withName("padding"));

    /** Most entries vireo ever asks for; KVM itself caps at KVM_MAX_CPUID_ENTRIES (256). */
    public static final int MAX_ENTRIES = 256;
    private static final long NENT = Layouts.offset(LAYOUT, "nent");

    private KvmCpuid2() {
    }

    /** A zeroed kvm_cpuid2 with room for {@code entries} entries and nent set to that capacity. */
    public static MemorySegment allocate(SegmentAllocator allocator, int entries) {
        MemorySegment s = allocator.allocate(Layouts.flexibleSize(LAYOUT, KvmCpuidEntry2.LAYOUT, entries, MAX_ENTRIES), 8);
        s.set(JAVA_INT, NENT, entries);
        return s;
    }

    public static int nent(MemorySegment s) {
        return s.get(JAVA_INT, NENT);
    }

    /** A view of entry {@code i}, bounds-checked against nent and the allocation. */
    public static MemorySegment entry(MemorySegment s, int i) {
        if (i < 0 || i >= nent(s)) {
            throw new IndexOutOfBoundsException("cpuid entry " + i + " of " + nent(s));
        }
        return s.asSlice(LAYOUT.byteSize() + i * KvmCpuidEntry2.LAYOUT.byteSize(), KvmCpuidEntry2.LAYOUT);
    }
}
