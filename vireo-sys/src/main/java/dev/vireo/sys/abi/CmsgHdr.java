package dev.vireo.sys.abi;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code struct cmsghdr}: the header of one ancillary-data item, followed by its data (file
 * descriptors for SCM_RIGHTS). CMSG_ALIGN, CMSG_SPACE and CMSG_LEN are reproduced here.
 */
@CStruct(value = "struct cmsghdr", headers = "sys/socket.h")
public final class CmsgHdr {

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("cmsg_len"),
            JAVA_INT.withName("cmsg_level"),
            JAVA_INT.withName("cmsg_type"));

    private static final long LEN = Layouts.offset(LAYOUT, "cmsg_len");
    private static final long LEVEL = Layouts.offset(LAYOUT, "cmsg_level");
    private static final long TYPE = Layouts.offset(LAYOUT, "cmsg_type");

    private CmsgHdr() {
    }

    /** CMSG_ALIGN: rounds up to the size of {@code size_t}. */
    public static long align(long len) {
        return (len + 7) & ~7L;
    }

    /** CMSG_LEN: header plus {@code dataLen} bytes, unpadded. */
    public static long len(long dataLen) {
        return align(LAYOUT.byteSize()) + dataLen;
    }

    /** CMSG_SPACE: header plus {@code dataLen} bytes, padded. */
    public static long space(long dataLen) {
        return align(LAYOUT.byteSize()) + align(dataLen);
    }

    /** The offset of the data from the start of the header (CMSG_DATA). */
    public static long dataOffset() {
        return align(LAYOUT.byteSize());
    }

    public static long cmsgLen(MemorySegment c) {
        return c.get(JAVA_LONG, LEN);
    }

    public static int level(MemorySegment c) {
        return c.get(JAVA_INT, LEVEL);
    }

    public static int type(MemorySegment c) {
        return c.get(JAVA_INT, TYPE);
    }

    public static void set(MemorySegment c, long len, int level, int type) {
        c.set(JAVA_LONG, LEN, len);
        c.set(JAVA_INT, LEVEL, level);
        c.set(JAVA_INT, TYPE, type);
    }
}
