package dev.vireo.sys.abi;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/** {@code struct winsize}: a terminal's size, read with TIOCGWINSZ. */
@CStruct(value = "struct winsize", headers = "sys/ioctl.h")
public final class Winsize {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_SHORT.withName("ws_row"),
            JAVA_SHORT.withName("ws_col"),
            JAVA_SHORT.withName("ws_xpixel"),
            JAVA_SHORT.withName("ws_ypixel"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long ROW = Layouts.offset(LAYOUT, "ws_row");
    private static final long COL = Layouts.offset(LAYOUT, "ws_col");

    private Winsize() {
    }

    public static int rows(MemorySegment w) {
        return Short.toUnsignedInt(w.get(JAVA_SHORT, ROW));
    }

    public static int cols(MemorySegment w) {
        return Short.toUnsignedInt(w.get(JAVA_SHORT, COL));
    }
}
