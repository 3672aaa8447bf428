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

/** {@code struct kvm_irqfd}: binds an eventfd to a guest interrupt line (KVM_IRQFD). */
@CStruct(value = "struct kvm_irqfd", headers = "linux/kvm.h")
public final class KvmIrqfd {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("fd"),
            JAVA_INT.withName("gsi"),
            JAVA_INT.withName("flags"),
            JAVA_INT.withName("resamplefd"),
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("pad"));

    private static final long FD = Layouts.offset(LAYOUT, "fd");
    private static final long GSI = Layouts.offset(LAYOUT, "gsi");
    private static final long FLAGS = Layouts.offset(LAYOUT, "flags");
    private static final long RESAMPLEFD = Layouts.offset(LAYOUT, "resamplefd");

    private KvmIrqfd() {
    }

    public static int fd(MemorySegment s) {
        return s.get(JAVA_INT, FD);
    }

    public static void fd(MemorySegment s, int v) {
        s.set(JAVA_INT, FD, v);
    }

    public static int gsi(MemorySegment s) {
        return s.get(JAVA_INT, GSI);
    }

    public static void gsi(MemorySegment s, int v) {
        s.set(JAVA_INT, GSI, v);
    }

    public static int flags(MemorySegment s) {
        return s.get(JAVA_INT, FLAGS);
    }

    public static void flags(MemorySegment s, int v) {
        s.set(JAVA_INT, FLAGS, v);
    }

    public static int resamplefd(MemorySegment s) {
        return s.get(JAVA_INT, RESAMPLEFD);
    }

    public static void resamplefd(MemorySegment s, int v) {
        s.set(JAVA_INT, RESAMPLEFD, v);
    }
}
