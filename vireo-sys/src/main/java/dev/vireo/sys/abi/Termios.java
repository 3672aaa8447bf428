package dev.vireo.sys.abi;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * glibc's {@code struct termios} (not the kernel's {@code struct termios2}): terminal attributes
 * for tcgetattr/tcsetattr/cfmakeraw. vireo only passes it between those calls (to put a
 * pseudo-terminal into raw mode), so only the layout is declared.
 */
@CStruct(value = "struct termios", headers = "termios.h")
public final class Termios {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("c_iflag"),
            JAVA_INT.withName("c_oflag"),
            JAVA_INT.withName("c_cflag"),
            JAVA_INT.withName("c_lflag"),
            JAVA_BYTE.withName("c_line"),
            MemoryLayout.sequenceLayout(32, JAVA_BYTE).withName("c_cc"),
            MemoryLayout.paddingLayout(3),
            JAVA_INT.withName("c_ispeed"),
            JAVA_INT.withName("c_ospeed"));

    public static final long SIZE = LAYOUT.byteSize();

    private Termios() {
    }
}
