package dev.vireo.vhost.backend;

import dev.vireo.sys.Fd;
import dev.vireo.vhost.proto.VringAddress;

import java.util.ArrayList;
import java.util.List;

/**
 * What the front-end told the back-end about one virtqueue (SET_VRING_NUM, _ADDR, _BASE, _KICK,
 * _CALL, _ERR, _ENABLE). Owned by the connection's control thread, except {@link #call}, which
 * device threads read to interrupt the driver: it is volatile, and a replaced call descriptor is
 * kept open until the rings stop, so that a device thread never writes to a number that has been
 * closed and reused.
 */
final class Vring {

    final int index;
    int size;
    VringAddress address;
    /** The base from SET_VRING_BASE: next available index (packed: bit 15 is the wrap counter). */
    int base;
    Fd kick;
    volatile Fd call;
    Fd err;
    boolean enabled;
    private final List<Fd> retiredCalls = new ArrayList<>();

    Vring(int index) {
        this.index = index;
    }

    /** Set up enough to run: a size, addresses and a kick descriptor. */
    boolean configured() {
        return size != 0 && address != null && kick != null;
    }

    void setKick(Fd fd) {
        if (kick != null) {
            kick.close();
        }
        kick = fd;
    }

    void setCall(Fd fd) {
        Fd old = call;
        call = fd;
        if (old != null) {
            retiredCalls.add(old);
        }
    }

    void setErr(Fd fd) {
        if (err != null) {
            err.close();
        }
        err = fd;
    }

    /** Closes the call descriptors replaced while the ring ran (no device thread can use them now). */
    void closeRetiredCalls() {
        retiredCalls.forEach(Fd::close);
        retiredCalls.clear();
    }

    /** Forgets everything (RESET_DEVICE, disconnect), closing every descriptor. */
    void clear() {
        setKick(null);
        setCall(null);
        setErr(null);
        closeRetiredCalls();
        size = 0;
        address = null;
        base = 0;
        enabled = false;
    }
}
