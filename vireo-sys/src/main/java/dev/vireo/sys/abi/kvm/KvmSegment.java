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

/** {@code struct kvm_segment}: a segment register as KVM sees it (part of kvm_sregs). */
@CStruct(value = "struct kvm_segment", headers = "linux/kvm.h")
public final class KvmSegment {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("base"),
            JAVA_INT.withName("limit"),
            JAVA_SHORT.withName("selector"),
            JAVA_BYTE.withName("type"),
            JAVA_BYTE.withName("present"),
            JAVA_BYTE.withName("dpl"),
            JAVA_BYTE.withName("db"),
            JAVA_BYTE.withName("s"),
            JAVA_BYTE.withName("l"),
            JAVA_BYTE.withName("g"),
            JAVA_BYTE.withName("avl"),
            JAVA_BYTE.withName("unusable"),
            JAVA_BYTE.withName("padding"));

    private static final long BASE = Layouts.offset(LAYOUT, "base");
    private static final long LIMIT = Layouts.offset(LAYOUT, "limit");
    private static final long SELECTOR = Layouts.offset(LAYOUT, "selector");
    private static final long TYPE = Layouts.offset(LAYOUT, "type");
    private static final long PRESENT = Layouts.offset(LAYOUT, "present");
    private static final long DPL = Layouts.offset(LAYOUT, "dpl");
    private static final long DB = Layouts.offset(LAYOUT, "db");
    private static final long S = Layouts.offset(LAYOUT, "s");
    private static final long L = Layouts.offset(LAYOUT, "l");
    private static final long G = Layouts.offset(LAYOUT, "g");
    private static final long AVL = Layouts.offset(LAYOUT, "avl");
    private static final long UNUSABLE = Layouts.offset(LAYOUT, "unusable");
    private static final long PADDING = Layouts.offset(LAYOUT, "padding");

    private KvmSegment() {
    }

    public static long base(MemorySegment s) {
        return s.get(JAVA_LONG, BASE);
    }

    public static void base(MemorySegment s, long v) {
        s.set(JAVA_LONG, BASE, v);
    }

    public static int limit(MemorySegment s) {
        return s.get(JAVA_INT, LIMIT);
    }

    public static void limit(MemorySegment s, int v) {
        s.set(JAVA_INT, LIMIT, v);
    }

    public static int selector(MemorySegment s) {
        return Short.toUnsignedInt(s.get(JAVA_SHORT, SELECTOR));
    }

    public static void selector(MemorySegment s, int v) {
        s.set(JAVA_SHORT, SELECTOR, (short) v);
    }

    public static int type(MemorySegment s) {
        return Byte.toUnsignedInt(s.get(JAVA_BYTE, TYPE));
    }

    public static void type(MemorySegment s, int v) {
        s.set(JAVA_BYTE, TYPE, (byte) v);
    }

    public static int present(MemorySegment s) {
        return Byte.toUnsignedInt(s.get(JAVA_BYTE, PRESENT));
    }

    public static void present(MemorySegment s, int v) {
        s.set(JAVA_BYTE, PRESENT, (byte) v);
    }

    public static int dpl(MemorySegment s) {
        return Byte.toUnsignedInt(s.get(JAVA_BYTE, DPL));
    }

    public static void dpl(MemorySegment s, int v) {
        s.set(JAVA_BYTE, DPL, (byte) v);
    }

    public static int db(MemorySegment s) {
        return Byte.toUnsignedInt(s.get(JAVA_BYTE, DB));
    }

    public static void db(MemorySegment s, int v) {
        s.set(JAVA_BYTE, DB, (byte) v);
    }

    public static int s(MemorySegment s) {
        return Byte.toUnsignedInt(s.get(JAVA_BYTE, S));
    }

    public static void s(MemorySegment s, int v) {
        s.set(JAVA_BYTE, S, (byte) v);
    }

    public static int l(MemorySegment s) {
        return Byte.toUnsignedInt(s.get(JAVA_BYTE, L));
    }

    public static void l(MemorySegment s, int v) {
        s.set(JAVA_BYTE, L, (byte) v);
    }

    public static int g(MemorySegment s) {
        return Byte.toUnsignedInt(s.get(JAVA_BYTE, G));
    }

    public static void g(MemorySegment s, int v) {
        s.set(JAVA_BYTE, G, (byte) v);
    }

    public static int avl(MemorySegment s) {
        return Byte.toUnsignedInt(s.get(JAVA_BYTE, AVL));
    }

    public static void avl(MemorySegment s, int v) {
        s.set(JAVA_BYTE, AVL, (byte) v);
    }

    public static int unusable(MemorySegment s) {
        return Byte.toUnsignedInt(s.get(JAVA_BYTE, UNUSABLE));
    }

    public static void unusable(MemorySegment s, int v) {
        s.set(JAVA_BYTE, UNUSABLE, (byte) v);
    }

    public static int padding(MemorySegment s) {
        return Byte.toUnsignedInt(s.get(JAVA_BYTE, PADDING));
    }

    public static void padding(MemorySegment s, int v) {
        s.set(JAVA_BYTE, PADDING, (byte) v);
    }
}
