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

/**
 * {@code struct kvm_run}: the page KVM shares with user space per vCPU (mapped from the vCPU fd).
 * The exit data is a union selected by {@code exit_reason}; only the x86 members vireo handles are
 * modelled, and a reader must read only the member its exit reason selects (kvm-ioctls' rule).
 * The trailing sync-register area is padding here.
 */
@CStruct(value = "struct kvm_run", headers = "linux/kvm.h")
public final class KvmRun {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_BYTE.withName("request_interrupt_window"),
            JAVA_BYTE.withName("immediate_exit"),
            MemoryLayout.sequenceLayout(6, JAVA_BYTE).withName("padding1"),
            JAVA_INT.withName("exit_reason"),
            JAVA_BYTE.withName("ready_for_interrupt_injection"),
            JAVA_BYTE.withName("if_flag"),
            JAVA_SHORT.withName("flags"),
            JAVA_LONG.withName("cr8"),
            JAVA_LONG.withName("apic_base"),
            MemoryLayout.unionLayout(
                    MemoryLayout.structLayout(
                            JAVA_LONG.withName("hardware_exit_reason")).withName("hw"),
                    MemoryLayout.structLayout(
                            JAVA_LONG.withName("hardware_entry_failure_reason"),
                            JAVA_INT.withName("cpu"),
                            MemoryLayout.paddingLayout(4)).withName("fail_entry"),
                    MemoryLayout.structLayout(
                            JAVA_BYTE.withName("direction"),
                            JAVA_BYTE.withName("size"),
                            JAVA_SHORT.withName("port"),
                            JAVA_INT.withName("count"),
                            JAVA_LONG.withName("data_offset")).withName("io"),
                    MemoryLayout.structLayout(
                            JAVA_LONG.withName("phys_addr"),
                            MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("data"),
                            JAVA_INT.withName("len"),
                            JAVA_BYTE.withName("is_write"),
                            MemoryLayout.paddingLayout(3)).withName("mmio"),
                    MemoryLayout.structLayout(
                            JAVA_INT.withName("suberror"),
                            JAVA_INT.withName("ndata"),
                            MemoryLayout.sequenceLayout(16, JAVA_LONG).withName("data")).withName("internal"),
                    MemoryLayout.structLayout(
                            JAVA_INT.withName("type"),
                            JAVA_INT.withName("ndata"),
                            MemoryLayout.sequenceLayout(16, JAVA_LONG).withName("data")).withName("system_event"),
                    MemoryLayout.structLayout(
                            JAVA_BYTE.withName("error"),
                            MemoryLayout.sequenceLayout(7, JAVA_BYTE).withName("pad"),
                            JAVA_INT.withName("reason"),
                            JAVA_INT.withName("index"),
                            JAVA_LONG.withName("data")).withName("msr"),
                    MemoryLayout.sequenceLayout(256, JAVA_BYTE).withName("padding")),
            JAVA_LONG.withName("kvm_valid_regs"),
            JAVA_LONG.withName("kvm_dirty_regs"),
            MemoryLayout.sequenceLayout(2048, JAVA_BYTE).withName("s"));

    private static final long IMMEDIATE_EXIT = Layouts.offset(LAYOUT, "immediate_exit");
    private static final long EXIT_REASON = Layouts.offset(LAYOUT, "exit_reason");
    private static final long IO_DIRECTION = Layouts.offset(LAYOUT, "io", "direction");
    private static final long IO_SIZE = Layouts.offset(LAYOUT, "io", "size");
    private static final long IO_PORT = Layouts.offset(LAYOUT, "io", "port");
    private static final long IO_COUNT = Layouts.offset(LAYOUT, "io", "count");
    private static final long IO_DATA_OFFSET = Layouts.offset(LAYOUT, "io", "data_offset");
    private static final long MMIO_PHYS_ADDR = Layouts.offset(LAYOUT, "mmio", "phys_addr");
    private static final long MMIO_DATA = Layouts.offset(LAYOUT, "mmio", "data");
    private static final long MMIO_LEN = Layouts.offset(LAYOUT, "mmio", "len");
    private static final long MMIO_IS_WRITE = Layouts.offset(LAYOUT, "mmio", "is_write");
    private static final long FAIL_ENTRY_REASON = Layouts.offset(LAYOUT, "fail_entry", "hardware_entry_failure_reason");
    private static final long INTERNAL_SUBERROR = Layouts.offset(LAYOUT, "internal", "suberror");
    private static final long SYSTEM_EVENT_TYPE = Layouts.offset(LAYOUT, "system_event", "type");

    private KvmRun() {
    }

    public static int exitReason(MemorySegment run) {
        return run.get(JAVA_INT, EXIT_REASON);
    }

    public static void immediateExit(MemorySegment run, boolean on) {
        run.set(JAVA_BYTE, IMMEDIATE_EXIT, (byte) (on ? 1 : 0));
    }

    /** KVM_EXIT_IO: KVM_EXIT_IO_IN (0) or KVM_EXIT_IO_OUT (1). */
    public static int ioDirection(MemorySegment run) {
        return Byte.toUnsignedInt(run.get(JAVA_BYTE, IO_DIRECTION));
    }

    public static int ioSize(MemorySegment run) {
        return Byte.toUnsignedInt(run.get(JAVA_BYTE, IO_SIZE));
    }

    public static int ioPort(MemorySegment run) {
        return Short.toUnsignedInt(run.get(JAVA_SHORT, IO_PORT));
    }

    public static int ioCount(MemorySegment run) {
        return run.get(JAVA_INT, IO_COUNT);
    }

    /** Offset of the port I/O data from the start of kvm_run (untrusted: check before use). */
    public static long ioDataOffset(MemorySegment run) {
        return run.get(JAVA_LONG, IO_DATA_OFFSET);
    }

    public static long mmioPhysAddr(MemorySegment run) {
        return run.get(JAVA_LONG, MMIO_PHYS_ADDR);
    }

    /** The 8-byte MMIO data area. */
    public static MemorySegment mmioData(MemorySegment run) {
        return run.asSlice(MMIO_DATA, 8);
    }

    public static int mmioLen(MemorySegment run) {
        return run.get(JAVA_INT, MMIO_LEN);
    }

    public static boolean mmioIsWrite(MemorySegment run) {
        return run.get(JAVA_BYTE, MMIO_IS_WRITE) != 0;
    }

    public static long failEntryReason(MemorySegment run) {
        return run.get(JAVA_LONG, FAIL_ENTRY_REASON);
    }

    public static int internalSuberror(MemorySegment run) {
        return run.get(JAVA_INT, INTERNAL_SUBERROR);
    }

    public static int systemEventType(MemorySegment run) {
        return run.get(JAVA_INT, SYSTEM_EVENT_TYPE);
    }
}
