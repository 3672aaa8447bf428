package dev.vireo.virtio.device;

import dev.vireo.sys.EventCalls;
import dev.vireo.sys.Fd;

import java.util.List;

/**
 * Interrupts through eventfds: one "call" eventfd per queue and one for configuration changes. KVM
 * binds them to guest interrupts with irqfd; a vhost-user backend receives the call eventfds from
 * the frontend (SET_VRING_CALL). Writing an eventfd never blocks (the counter cannot realistically
 * overflow). The eventfds stay owned by the caller.
 */
public final class EventFdInterrupt implements Interrupt {

    private final Fd[] call;
    private final Fd config;

    /** {@code call.get(q)} signals queue q (null: no interrupt for that queue); {@code config} may be null. */
    public EventFdInterrupt(List<Fd> call, Fd config) {
        this.call = call.toArray(Fd[]::new);
        this.config = config;
    }

    @Override
    public void signalUsed(int queue) {
        if (queue >= 0 && queue < call.length && call[queue] != null) {
            EventCalls.eventfdWrite(call[queue].num(), 1);
        }
    }

    @Override
    public void signalConfig() {
        if (config != null) {
            EventCalls.eventfdWrite(config.num(), 1);
        }
    }
}
