package dev.vireo.fuse.proto;

import dev.vireo.sys.Errno;

/**
 * A request that breaks the protocol: too short for its header or arguments, a length that
 * disagrees with the header, a name without NUL or with '/', an absurd size. The dispatcher answers
 * it with {@link #errno()}; nothing else happens.
 *
 * <p>The shared instances carry no stack trace and are thrown without allocation: a client that
 * sends nothing but bad requests costs vireo no garbage.
 */
public final class ProtocolException extends RuntimeException {

    /** Malformed arguments. */
    public static final ProtocolException EINVAL = new ProtocolException(Errno.EINVAL, "malformed request");
    /** A name longer than NAME_MAX. */
    public static final ProtocolException ENAMETOOLONG = new ProtocolException(Errno.ENAMETOOLONG, "name too long");
    /** A size beyond what the connection allows. */
    public static final ProtocolException E2BIG = new ProtocolException(Errno.E2BIG, "size too large");
    /** A request whose length disagrees with its header, or a reply that does not fit. */
    public static final ProtocolException EIO = new ProtocolException(Errno.EIO, "length mismatch");

    private final int errno;

    private ProtocolException(Errno errno, String message) {
        super(message, null, false, false);
        this.errno = errno.code();
    }

    /** The positive errno the request is answered with. */
    public int errno() {
        return errno;
    }
}
