package dev.vireo.sys.abi.kvm;

import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.Layouts;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/** {@code struct kvm_msrs}: a count followed by a flexible array of {@link KvmMsrEntry} (KVM_GET_MSRS/KVM_SET_MSRS). */
@CStruct(value = "struct kvm_msrs", headers = "linux/kvm.h")
public final class KvmMsrs {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("nmsrs"),
            JAVA_INT.withName("pad"));

    /** Most entries vireo passes in one call. */
    public static final int MAX_ENTRIES = 256;
    private static final long NMSRS = Layouts.offset(LAYOUT, "nmsrs");

    private KvmMsrs() {
    }

    /** A zeroed kvm_msrs with room for {@code entries} entries and nmsrs set to that count. */
    public static MemorySegment allocate(SegmentAllocator allocator, int entries) {
        MemorySegment s = allocator.allocate(Layouts.flexibleSize(LAYOUT, KvmMsrEntry.LAYOUT, entries, MAX_ENTRIES), 8);
        s.set(JAVA_INT, NMSRS, entries);
        return s;
    }

    public static int nmsrs(MemorySegment s) {
        return s.get(JAVA_INT, NMSRS);
    }

    /** A view of entry {@code i}, bounds-checked against nmsrs. */
    public static MemorySegment entry(MemorySegment s, int i) {
        if (i < 0 || i >= nmsrs(s)) {
            throw new IndexOutOfBoundsException("msr entry " + i + " of " + nmsrs(s));
        }
        return s.asSlice(LAYOUT.byteSize() + i * KvmMsrEntry.LAYOUT.byteSize(), KvmMsrEntry.LAYOUT);
    }
}
