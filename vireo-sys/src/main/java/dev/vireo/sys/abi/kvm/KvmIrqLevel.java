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

/** {@code struct kvm_irq_level}: KVM_IRQ_LINE argument (the C union of irq and status is its first field). */
@CStruct(value = "struct kvm_irq_level", headers = "linux/kvm.h")
public final class KvmIrqLevel {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("irq"),
            JAVA_INT.withName("level"));

    private static final long IRQ = Layouts.offset(LAYOUT, "irq");
    private static final long LEVEL = Layouts.offset(LAYOUT, "level");

    private KvmIrqLevel() {
    }

    public static int irq(MemorySegment s) {
        return s.get(JAVA_INT, IRQ);
    }

    public static void irq(MemorySegment s, int v) {
        s.set(JAVA_INT, IRQ, v);
    }

    public static int level(MemorySegment s) {
        return s.get(JAVA_INT, LEVEL);
    }

    public static void level(MemorySegment s, int v) {
        s.set(JAVA_INT, LEVEL, v);
    }
}
