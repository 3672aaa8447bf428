package dev.vireo.fuse.session;

import dev.vireo.fuse.proto.ProtocolVersion;
import dev.vireo.sys.abi.fuse.Fuse;

/**
 * What INIT settled: the protocol version, the INIT flags granted (64 bits) and the sizes. Read by
 * every worker for every request after INIT; immutable.
 */
public record Negotiated(ProtocolVersion version, long kernelFlags, long flags, int maxWrite, int maxReadahead,
                         int maxBackground, int congestionThreshold) {

    /** Whether {@code flag} was granted. */
    public boolean has(long flag) {
        return (flags & flag) == flag;
    }

    /** Whether SETXATTR carries the extended 16-byte fuse_setxattr_in (FUSE_SETXATTR_EXT). */
    public boolean setxattrExt() {
        return has(Fuse.FUSE_SETXATTR_EXT);
    }
}
