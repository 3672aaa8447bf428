package dev.vireo.sys.abi;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * glibc's {@code struct termios} for tcgetattr(3)/tcsetattr(3) (not the kernel's smaller
 * {@code struct termios} of asm/termbits.h: glibc translates between the two).
 */
@CStruct(value = "struct termios", headers = "termios.h")
public final class Termios {

    /** {@code NCCS}: the size of {@code c_cc} in glibc's struct. */
    public static final int NCCS = 32;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("c_iflag"),
            JAVA_INT.withName("c_oflag"),
            JAVA_INT.withName("c_cflag"),
            JAVA_INT.withName("c_lflag"),
            JAVA_BYTE.withName("c_line"),
            MemoryLayout.sequenceLayout(NCCS, JAVA_BYTE).withName("c_cc"),
            MemoryLayout.paddingLayout(3),
            JAVA_INT.withName("c_ispeed"),
            JAVA_INT.withName("c_ospeed"));

    public static final long SIZE = LAYOUT.byteSize();
    /** The offset of {@code c_lflag}. */
    public static final long C_LFLAG = Layouts.offset(LAYOUT, "c_lflag");

    private Termios() {
    }
}
