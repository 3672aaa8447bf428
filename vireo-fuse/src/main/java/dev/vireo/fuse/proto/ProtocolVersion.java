package dev.vireo.fuse.proto;

/**
 * A FUSE protocol version (fuse.h {@code FUSE_KERNEL_VERSION.FUSE_KERNEL_MINOR_VERSION}), and the
 * range vireo speaks: {@link #FLOOR} to {@link #CEILING}. The package documentation lists what each
 * minor in that range adds and how vireo uses it.
 *
 * <p>Negotiation (fuse.h, "Version negotiation"): the kernel sends its version in INIT; if the
 * majors match, both use the smaller minor; if the kernel's major is larger, the server answers
 * with its own major and waits for a second INIT; a smaller major is refused.
 */
public record ProtocolVersion(int major, int minor) implements Comparable<ProtocolVersion> {

    /** The only major version there is. */
    public static final int MAJOR = 7;
    /**
     * The oldest kernel protocol vireo accepts: 7.31 (Linux 5.4). Every reply size vireo writes has
     * been stable since 7.23; 7.31 is the oldest kernel vireo's tests have a reason to care about.
     */
    public static final ProtocolVersion FLOOR = new ProtocolVersion(MAJOR, 31);
    /** The newest protocol vireo knows: 7.45 (Linux 6.18). Minors above are answered with this one. */
    public static final ProtocolVersion CEILING = new ProtocolVersion(MAJOR, 45);

    /** Whether this version is at least {@code 7.minor}. */
    public boolean atLeast(int minor) {
        return major > MAJOR || major == MAJOR && this.minor >= minor;
    }

    @Override
    public int compareTo(ProtocolVersion o) {
        return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
