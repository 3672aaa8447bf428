package dev.vireo.sys.abi;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * {@code struct epoll_event}. On x86-64 it is packed (12 bytes): the 64-bit data follows the
 * 32-bit event mask with no hole, so data is declared unaligned.
 */
@CStruct(value = "struct epoll_event", headers = "sys/epoll.h")
public final class EpollEvent {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("events"),
            JAVA_LONG_UNALIGNED.withName("data"));

    public static final long SIZE = LAYOUT.byteSize();
    private static final long EVENTS = Layouts.offset(LAYOUT, "events");
    private static final long DATA = Layouts.offset(LAYOUT, "data");

    private EpollEvent() {
    }

    public static int events(MemorySegment array, int index) {
        return array.get(JAVA_INT, index * SIZE + EVENTS);
    }

    public static long data(MemorySegment array, int index) {
        return array.get(JAVA_LONG_UNALIGNED, index * SIZE + DATA);
    }

    public static void set(MemorySegment event, int events, long data) {
        event.set(JAVA_INT, EVENTS, events);
        event.set(JAVA_LONG_UNALIGNED, DATA, data);
    }
}
