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

/** {@code struct kvm_cpuid_entry2}: one CPUID leaf (an element of kvm_cpuid2). */
@CStruct(value = "struct kvm_cpuid_entry2", headers = "linux/kvm.h")
public final class KvmCpuidEntry2 {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("function"),
            JAVA_INT.withName("index"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("eax"),
            JAVA_INT.withName("ebx"),
            JAVA_INT.withName("ecx"),
            JAVA_INT.withName("edx"),
            MemoryLayout.sequenceLayout(3, JAVA_INT).withName("padding"));

    private static final long FUNCTION = Layouts.offset(LAYOUT, "function");
    private static final long INDEX = Layouts.offset(LAYOUT, "index");
    private static final long FLAGS = Layouts.offset(LAYOUT, "flags");
    private static final long EAX = Layouts.offset(LAYOUT, "eax");
    private static final long EBX = Layouts.offset(LAYOUT, "ebx");
    private static final long ECX = Layouts.offset(LAYOUT, "ecx");
    private static final long EDX = Layouts.offset(LAYOUT, "edx");

    private KvmCpuidEntry2() {
    }

    public static int function(MemorySegment s) {
        return s.get(JAVA_INT, FUNCTION);
    }

    public static void function(MemorySegment s, int v) {
        s.set(JAVA_INT, FUNCTION, v);
    }

    public static int index(MemorySegment s) {
        return s.get(JAVA_INT, INDEX);
    }

    public static void index(MemorySegment s, int v) {
        s.set(JAVA_INT, INDEX, v);
    }

    public static int flags(MemorySegment s) {
        return s.get(JAVA_INT, FLAGS);
    }

    public static void flags(MemorySegment s, int v) {
        s.set(JAVA_INT, FLAGS, v);
    }

    public static int eax(MemorySegment s) {
        return s.get(JAVA_INT, EAX);
    }

    public static void eax(MemorySegment s, int v) {
        s.set(JAVA_INT, EAX, v);
    }

    public static int ebx(MemorySegment s) {
        return s.get(JAVA_INT, EBX);
    }

    public static void ebx(MemorySegment s, int v) {
        s.set(JAVA_INT, EBX, v);
    }

    public static int ecx(MemorySegment s) {
        return s.get(JAVA_INT, ECX);
    }

    public static void ecx(MemorySegment s, int v) {
        s.set(JAVA_INT, ECX, v);
    }

    public static int edx(MemorySegment s) {
        return s.get(JAVA_INT, EDX);
    }

    public static void edx(MemorySegment s, int v) {
        s.set(JAVA_INT, EDX, v);
    }
}
