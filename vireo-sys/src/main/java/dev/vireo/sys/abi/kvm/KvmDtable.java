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

/** {@code struct kvm_dtable}: a descriptor-table register (GDTR, IDTR). */
@CStruct(value = "struct kvm_dtable", headers = "linux/kvm.h")
public final class KvmDtable {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("base"),
            JAVA_SHORT.withName("limit"),
            MemoryLayout.sequenceLayout(3, JAVA_SHORT).withName("padding"));

    private static final long BASE = Layouts.offset(LAYOUT, "base");
    private static final long LIMIT = Layouts.offset(LAYOUT, "limit");

    private KvmDtable() {
    }

    public static long base(MemorySegment s) {
        return s.get(JAVA_LONG, BASE);
    }

    public static void base(MemorySegment s, long v) {
        s.set(JAVA_LONG, BASE, v);
    }

    public static int limit(MemorySegment s) {
        return Short.toUnsignedInt(s.get(JAVA_SHORT, LIMIT));
    }

    public static void limit(MemorySegment s, int v) {
        s.set(JAVA_SHORT, LIMIT, (short) v);
    }
}
