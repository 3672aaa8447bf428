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

/** {@code struct kvm_ioeventfd}: makes a guest write to an address signal an eventfd (KVM_IOEVENTFD). */
@CStruct(value = "struct kvm_ioeventfd", headers = "linux/kvm.h")
public final class KvmIoeventfd {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("datamatch"),
            JAVA_LONG.withName("addr"),
            JAVA_INT.withName("len"),
            JAVA_INT.withName("fd"),
            JAVA_INT.withName("flags"),
            MemoryLayout.sequenceLayout(36, JAVA_BYTE).withName("pad"));

    private static final long DATAMATCH = Layouts.offset(LAYOUT, "datamatch");
    private static final long ADDR = Layouts.offset(LAYOUT, "addr");
    private static final long LEN = Layouts.offset(LAYOUT, "len");
    private static final long FD = Layouts.offset(LAYOUT, "fd");
    private static final long FLAGS = Layouts.offset(LAYOUT, "flags");

    private KvmIoeventfd() {
    }

    public static long datamatch(MemorySegment s) {
        return s.get(JAVA_LONG, DATAMATCH);
    }

    public static void datamatch(MemorySegment s, long v) {
        s.set(JAVA_LONG, DATAMATCH, v);
    }

    public static long addr(MemorySegment s) {
        return s.get(JAVA_LONG, ADDR);
    }

    public static void addr(MemorySegment s, long v) {
        s.set(JAVA_LONG, ADDR, v);
    }

    public static int len(MemorySegment s) {
        return s.get(JAVA_INT, LEN);
    }

    public static void len(MemorySegment s, int v) {
        s.set(JAVA_INT, LEN, v);
    }

    public static int fd(MemorySegment s) {
        return s.get(JAVA_INT, FD);
    }

    public static void fd(MemorySegment s, int v) {
        s.set(JAVA_INT, FD, v);
    }

    public static int flags(MemorySegment s) {
        return s.get(JAVA_INT, FLAGS);
    }

    public static void flags(MemorySegment s, int v) {
        s.set(JAVA_INT, FLAGS, v);
    }
}
