package dev.vireo.vhost.backend;

import dev.vireo.sys.Fd;
import dev.vireo.vhost.proto.VringAddress;

import java.util.ArrayList;
import java.util.List;

/**
 * What the front-end told the back-end about one virtqueue (SET_VRING_NUM, _ADDR, _BASE, _KICK,
 * _CALL, _ERR, _ENABLE). Owned by the connection's control thread, except {@link #call} and
 * {@link #err}, which the device's thread reads to interrupt the driver or report a broken queue:
 * they are volatile, and a replaced call or error descriptor is kept open until the rings stop, so
 * that the device's thread never writes to a number that has been closed and reused.
 */
final class Vring {

    final int index;
    int size;
    VringAddress address;
    /** The base from SET_VRING_BASE: next available index (packed: bit 15 is the wrap counter). */
    int base;
    Fd kick;
    volatile Fd call;
    volatile Fd err;
    boolean enabled;
    private final List<Fd> retired = new ArrayList<>();

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
            retired.add(old);
        }
    }

    void setErr(Fd fd) {
        Fd old = err;
        err = fd;
        if (old != null) {
            retired.add(old);
        }
    }

    /** Closes the call and error descriptors replaced while the ring ran (no device thread can use them now). */
    void closeRetired() {
        retired.forEach(Fd::close);
        retired.clear();
    }

    /** Forgets everything (RESET_DEVICE, disconnect), closing every descriptor. */
    void clear() {
        setKick(null);
        setCall(null);
        setErr(null);
        closeRetired();
        size = 0;
        address = null;
        base = 0;
        enabled = false;
    }
}
