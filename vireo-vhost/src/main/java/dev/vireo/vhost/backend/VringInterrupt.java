package dev.vireo.vhost.backend;

import dev.vireo.sys.EventCalls;
import dev.vireo.sys.Fd;
import dev.vireo.sys.Log;
import dev.vireo.sys.SysException;
import dev.vireo.virtio.device.Interrupt;

/**
 * Used-buffer notifications through each vring's current call eventfd (which the front-end may
 * replace at any time); configuration changes through the back-end channel when one is set.
 */
final class VringInterrupt implements Interrupt {

    private static final Log LOG = Log.of("vhost");

    private final Vring[] vrings;
    private final Runnable configChanged;

    VringInterrupt(Vring[] vrings, Runnable configChanged) {
        this.vrings = vrings;
        this.configChanged = configChanged;
    }

    @Override
    public void signalUsed(int queue) {
        Fd call = queue >= 0 && queue < vrings.length ? vrings[queue].call : null;
        if (call == null) {
            return; // no call descriptor: the front-end polls
        }
        try {
            EventCalls.eventfdWrite(call.num(), 1);
        } catch (SysException | IllegalStateException e) {
            LOG.warn("cannot signal queue %d: %s", queue, e.getMessage());
        }
    }

    @Override
    public void signalConfig() {
        configChanged.run();
    }
}
