package dev.vireo.sys.abi;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/** Small helpers for the struct classes of this package. */
public final class Layouts {

    /** Little-endian value layouts: virtio ring and configuration fields are LE by spec (virtio 1.2 §1.4). */
    public static final ValueLayout.OfShort LE_U16 = ValueLayout.JAVA_SHORT.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfInt LE_U32 = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfLong LE_U64 = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Layouts() {
    }

    /**
     * The byte offset of a member, addressed by names from {@code layout}. Anonymous groups (a C
     * anonymous struct or union) are searched through, so {@code offset(SQE, "addr")} finds a
     * member of an unnamed union.
     */
    public static long offset(GroupLayout layout, String... path) {
        long offset = 0;
        MemoryLayout current = layout;
        for (String name : path) {
            if (!(current instanceof GroupLayout group)) {
                throw new IllegalArgumentException("not a group at " + name + " in " + Arrays.toString(path));
            }
            long found = find(group, name);
            if (found < 0) {
                throw new IllegalArgumentException("no member " + name + " in " + group);
            }
            offset += found;
            current = member(group, name);
        }
        return offset;
    }

    /** Size of {@code array} elements of {@code element} plus {@code header}, checked for overflow. */
    public static long flexibleSize(MemoryLayout header, MemoryLayout element, long count, long maxCount) {
        if (count < 0 || count > maxCount) {
            throw new IllegalArgumentException("element count " + count + " outside [0, " + maxCount + "]");
        }
        return Math.addExact(header.byteSize(), Math.multiplyExact(element.byteSize(), count));
    }

    private static long find(GroupLayout group, String name) {
        long offset = 0;
        for (MemoryLayout m : group.memberLayouts()) {
            long here = group instanceof java.lang.foreign.UnionLayout ? 0 : offset;
            if (m.name().filter(name::equals).isPresent()) {
                return here;
            }
            if (m.name().isEmpty() && m instanceof GroupLayout anonymous) {
                long inner = find(anonymous, name);
                if (inner >= 0) {
                    return here + inner;
                }
            }
            offset += m.byteSize();
        }
        return -1;
    }

    private static MemoryLayout member(GroupLayout group, String name) {
        for (MemoryLayout m : group.memberLayouts()) {
            if (m.name().filter(name::equals).isPresent()) {
                return m;
            }
            if (m.name().isEmpty() && m instanceof GroupLayout anonymous && find(anonymous, name) >= 0) {
                return member(anonymous, name);
            }
        }
        throw new IllegalArgumentException("no member " + name);
    }
}
