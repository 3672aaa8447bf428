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

/** {@code struct kvm_regs}: general-purpose registers of a vCPU (KVM_GET_REGS/KVM_SET_REGS). */
@CStruct(value = "struct kvm_regs", headers = "linux/kvm.h")
public final class KvmRegs {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("rax"),
            JAVA_LONG.withName("rbx"),
            JAVA_LONG.withName("rcx"),
            JAVA_LONG.withName("rdx"),
            JAVA_LONG.withName("rsi"),
            JAVA_LONG.withName("rdi"),
            JAVA_LONG.withName("rsp"),
            JAVA_LONG.withName("rbp"),
            JAVA_LONG.withName("r8"),
            JAVA_LONG.withName("r9"),
            JAVA_LONG.withName("r10"),
            JAVA_LONG.withName("r11"),
            JAVA_LONG.withName("r12"),
            JAVA_LONG.withName("r13"),
            JAVA_LONG.withName("r14"),
            JAVA_LONG.withName("r15"),
            JAVA_LONG.withName("rip"),
            JAVA_LONG.withName("rflags"));

    private static final long RAX = Layouts.offset(LAYOUT, "rax");
    private static final long RBX = Layouts.offset(LAYOUT, "rbx");
    private static final long RCX = Layouts.offset(LAYOUT, "rcx");
    private static final long RDX = Layouts.offset(LAYOUT, "rdx");
    private static final long RSI = Layouts.offset(LAYOUT, "rsi");
    private static final long RDI = Layouts.offset(LAYOUT, "rdi");
    private static final long RSP = Layouts.offset(LAYOUT, "rsp");
    private static final long RBP = Layouts.offset(LAYOUT, "rbp");
    private static final long R8 = Layouts.offset(LAYOUT, "r8");
    private static final long R9 = Layouts.offset(LAYOUT, "r9");
    private static final long R10 = Layouts.offset(LAYOUT, "r10");
    private static final long R11 = Layouts.offset(LAYOUT, "r11");
    private static final long R12 = Layouts.offset(LAYOUT, "r12");
    private static final long R13 = Layouts.offset(LAYOUT, "r13");
    private static final long R14 = Layouts.offset(LAYOUT, "r14");
    private static final long R15 = Layouts.offset(LAYOUT, "r15");
    private static final long RIP = Layouts.offset(LAYOUT, "rip");
    private static final long RFLAGS = Layouts.offset(LAYOUT, "rflags");

    private KvmRegs() {
    }

    public static long rax(MemorySegment s) {
        return s.get(JAVA_LONG, RAX);
    }

    public static void rax(MemorySegment s, long v) {
        s.set(JAVA_LONG, RAX, v);
    }

    public static long rbx(MemorySegment s) {
        return s.get(JAVA_LONG, RBX);
    }

    public static void rbx(MemorySegment s, long v) {
        s.set(JAVA_LONG, RBX, v);
    }

    public static long rcx(MemorySegment s) {
        return s.get(JAVA_LONG, RCX);
    }

    public static void rcx(MemorySegment s, long v) {
        s.set(JAVA_LONG, RCX, v);
    }

    public static long rdx(MemorySegment s) {
        return s.get(JAVA_LONG, RDX);
    }

    public static void rdx(MemorySegment s, long v) {
        s.set(JAVA_LONG, RDX, v);
    }

    public static long rsi(MemorySegment s) {
        return s.get(JAVA_LONG, RSI);
    }

    public static void rsi(MemorySegment s, long v) {
        s.set(JAVA_LONG, RSI, v);
    }

    public static long rdi(MemorySegment s) {
        return s.get(JAVA_LONG, RDI);
    }

    public static void rdi(MemorySegment s, long v) {
        s.set(JAVA_LONG, RDI, v);
    }

    public static long rsp(MemorySegment s) {
        return s.get(JAVA_LONG, RSP);
    }

    public static void rsp(MemorySegment s, long v) {
        s.set(JAVA_LONG, RSP, v);
    }

    public static long rbp(MemorySegment s) {
        return s.get(JAVA_LONG, RBP);
    }

    public static void rbp(MemorySegment s, long v) {
        s.set(JAVA_LONG, RBP, v);
    }

    public static long r8(MemorySegment s) {
        return s.get(JAVA_LONG, R8);
    }

    public static void r8(MemorySegment s, long v) {
        s.set(JAVA_LONG, R8, v);
    }

    public static long r9(MemorySegment s) {
        return s.get(JAVA_LONG, R9);
    }

    public static void r9(MemorySegment s, long v) {
        s.set(JAVA_LONG, R9, v);
    }

    public static long r10(MemorySegment s) {
        return s.get(JAVA_LONG, R10);
    }

    public static void r10(MemorySegment s, long v) {
        s.set(JAVA_LONG, R10, v);
    }

    public static long r11(MemorySegment s) {
        return s.get(JAVA_LONG, R11);
    }

    public static void r11(MemorySegment s, long v) {
        s.set(JAVA_LONG, R11, v);
    }

    public static long r12(MemorySegment s) {
        return s.get(JAVA_LONG, R12);
    }

    public static void r12(MemorySegment s, long v) {
        s.set(JAVA_LONG, R12, v);
    }

    public static long r13(MemorySegment s) {
        return s.get(JAVA_LONG, R13);
    }

    public static void r13(MemorySegment s, long v) {
        s.set(JAVA_LONG, R13, v);
    }

    public static long r14(MemorySegment s) {
        return s.get(JAVA_LONG, R14);
    }

    public static void r14(MemorySegment s, long v) {
        s.set(JAVA_LONG, R14, v);
    }

    public static long r15(MemorySegment s) {
        return s.get(JAVA_LONG, R15);
    }

    public static void r15(MemorySegment s, long v) {
        s.set(JAVA_LONG, R15, v);
    }

    public static long rip(MemorySegment s) {
        return s.get(JAVA_LONG, RIP);
    }

    public static void rip(MemorySegment s, long v) {
        s.set(JAVA_LONG, RIP, v);
    }

    public static long rflags(MemorySegment s) {
        return s.get(JAVA_LONG, RFLAGS);
    }

    public static void rflags(MemorySegment s, long v) {
        s.set(JAVA_LONG, RFLAGS, v);
    }
}
