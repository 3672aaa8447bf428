package dev.vireo.virtio.driver;

/**
 * The device broke the virtqueue rules from the driver's point of view: a used entry for a buffer
 * that is not in flight, a used length beyond the buffer's device-writable bytes, a used index that
 * runs ahead of what was posted. A guest driver would mark the device broken (Linux's
 * {@code BAD_RING}); the {@link DriverQueue} that threw it refuses further use.
 */
public final class DeviceFaultException extends RuntimeException {

    public DeviceFaultException(String message) {
        super(message);
    }
}
