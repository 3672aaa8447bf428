package dev.vireo.sys.abi;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** {@code struct open_how} for openat2(2): flags, mode and RESOLVE_* restrictions. */
@CStruct(value = "struct open_how", headers = "linux/openat2.h")
public final class OpenHow {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("flags"),
            JAVA_LONG.withName("mode"),
            JAVA_LONG.withName("resolve"));

    private static final long FLAGS = Layouts.offset(LAYOUT, "flags");
    private static final long MODE = Layouts.offset(LAYOUT, "mode");
    private static final long RESOLVE = Layouts.offset(LAYOUT, "resolve");

    private OpenHow() {
    }

    public static void set(MemorySegment how, long flags, long mode, long resolve) {
        how.set(JAVA_LONG, FLAGS, flags);
        how.set(JAVA_LONG, MODE, mode);
        how.set(JAVA_LONG, RESOLVE, resolve);
    }
}
