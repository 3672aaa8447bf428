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

/** {@code struct kvm_pit_config}: KVM_CREATE_PIT2 argument. */
@CStruct(value = "struct kvm_pit_config", headers = "linux/kvm.h")
public final class KvmPitConfig {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("flags"),
            MemoryLayout.sequenceLayout(15, JAVA_INT).withName("pad"));

    private static final long FLAGS = Layouts.offset(LAYOUT, "flags");

    private KvmPitConfig() {
    }

    public static int flags(MemorySegment s) {
        return s.get(JAVA_INT, FLAGS);
    }

    public static void flags(MemorySegment s, int v) {
        s.set(JAVA_INT, FLAGS, v);
    }
}
