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

/** {@code struct kvm_msr_entry}: one model-specific register (an element of kvm_msrs). */
@CStruct(value = "struct kvm_msr_entry", headers = "linux/kvm.h")
public final class KvmMsrEntry {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("index"),
            JAVA_INT.withName("reserved"),
            JAVA_LONG.withName("data"));

    private static final long INDEX = Layouts.offset(LAYOUT, "index");
    private static final long RESERVED = Layouts.offset(LAYOUT, "reserved");
    private static final long DATA = Layouts.offset(LAYOUT, "data");

    private KvmMsrEntry() {
    }

    public static int index(MemorySegment s) {
        return s.get(JAVA_INT, INDEX);
    }

    public static void index(MemorySegment s, int v) {
        s.set(JAVA_INT, INDEX, v);
    }

    public static int reserved(MemorySegment s) {
        return s.get(JAVA_INT, RESERVED);
    }

    public static void reserved(MemorySegment s, int v) {
        s.set(JAVA_INT, RESERVED, v);
    }

    public static long data(MemorySegment s) {
        return s.get(JAVA_LONG, DATA);
    }

    public static void data(MemorySegment s, long v) {
        s.set(JAVA_LONG, DATA, v);
    }
}
