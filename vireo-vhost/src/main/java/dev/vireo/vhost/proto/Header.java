package dev.vireo.vhost.proto;

/**
 * A vhost-user message header (request, flags, payload size), checked for syntax: version 1,
 * only known flags, the reply flag set on replies and only on replies, a payload no larger than
 * {@link VhostUser#MAX_PAYLOAD}. {@code request} is null when the code is unknown.
 */
public record Header(int code, FrontendRequest request, int flags, int size) {

    /** Validates a header; {@code reply} says whether a reply (rather than a request) is expected. */
    public static Header parse(int code, int flags, int size, boolean reply) {
        if ((flags & VhostUser.VERSION_MASK) != VhostUser.VERSION) {
            throw new MessageException("unsupported vhost-user version " + (flags & VhostUser.VERSION_MASK) + " in message " + code);
        }
        boolean isReply = (flags & VhostUser.FLAG_REPLY) != 0;
        if ((flags & ~VhostUser.FLAGS_KNOWN) != 0 || isReply != reply) {
            throw new MessageException(String.format("invalid header flags 0x%x in %s %d", flags, reply ? "reply" : "request", code));
        }
        if (size < 0 || size > VhostUser.MAX_PAYLOAD) {
            throw new MessageException("payload of " + Integer.toUnsignedString(size) + " bytes in request " + code
                    + " exceeds " + VhostUser.MAX_PAYLOAD);
        }
        return new Header(code, FrontendRequest.of(code), flags, size);
    }

    public boolean needReply() {
        return (flags & VhostUser.FLAG_NEED_REPLY) != 0;
    }

    /** The request's name for messages ("SET_MEM_TABLE", or "request 99"). */
    public String name() {
        return request != null ? request.name() : "request " + code;
    }
}
