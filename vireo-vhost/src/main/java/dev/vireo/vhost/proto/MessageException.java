package dev.vireo.vhost.proto;

/**
 * A message from the front-end that vireo refuses: a malformed header or payload, a request out of
 * order, a missing or extra descriptor. The connection handler logs the reason and closes the
 * connection (or answers with a failure when REPLY_ACK lets it).
 */
public final class MessageException extends RuntimeException {

    public MessageException(String message) {
        super(message);
    }

    public MessageException(String message, Throwable cause) {
        super(message, cause);
    }
}
