package dev.vireo.sys.abi;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/** {@code struct pollfd} for poll(2). */
@CStruct(value = "struct pollfd", headers = "poll.h")
public final class Pollfd {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("fd"),
            JAVA_SHORT.withName("events"),
            JAVA_SHORT.withName("revents"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long FD = Layouts.offset(LAYOUT, "fd");
    private static final long EVENTS = Layouts.offset(LAYOUT, "events");
    private static final long REVENTS = Layouts.offset(LAYOUT, "revents");

    private Pollfd() {
    }

    public static void set(MemorySegment array, int index, int fd, int events) {
        array.set(JAVA_INT, index * SIZE + FD, fd);
        array.set(JAVA_SHORT, index * SIZE + EVENTS, (short) events);
        array.set(JAVA_SHORT, index * SIZE + REVENTS, (short) 0);
    }

    public static int revents(MemorySegment array, int index) {
        return Short.toUnsignedInt(array.get(JAVA_SHORT, index * SIZE + REVENTS));
    }
}
