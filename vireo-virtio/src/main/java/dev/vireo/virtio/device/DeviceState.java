package dev.vireo.virtio.device;

/**
 * A device's life cycle: inactive (after creation and after reset) or active (after DRIVER_OK),
 * with what it runs while active ({@code R}: its queue handlers, port threads ...). Devices keep
 * it in one volatile field and switch over it, so "not active" can never be forgotten.
 */
public sealed interface DeviceState<R> {

    /** Not activated: queue notifications are spurious and ignored. */
    record Inactive<R>() implements DeviceState<R> {
    }

    /** Activated with {@code activation}, running {@code runtime}. */
    record Active<R>(Activation activation, R runtime) implements DeviceState<R> {
    }
}
