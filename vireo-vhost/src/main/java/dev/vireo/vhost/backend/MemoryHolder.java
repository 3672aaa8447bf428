package dev.vireo.vhost.backend;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Publishes the current {@link FrontendMemory} to queue workers and retires replaced ones safely:
 * a worker {@link #acquire()}s the memory for a batch and releases it after; {@link #replace}
 * publishes a new map at once, and the old one is unmapped when its last user lets go. Lock-free
 * and allocation-free on the worker's side (rust-vmm's GuestMemoryAtomic, in Java).
 */
public final class MemoryHolder {

    private final AtomicReference<FrontendMemory> current = new AtomicReference<>(FrontendMemory.empty());

    /** The current memory, retained for the caller, who must {@link FrontendMemory#release()} it. */
    public FrontendMemory acquire() {
        while (true) {
            FrontendMemory m = current.get();
            if (m.tryRetain()) {
                if (current.get() == m) {
                    return m;
                }
                m.release();
            }
        }
    }

    /** The current memory without retaining it (for the control thread, which is the only writer). */
    public FrontendMemory peek() {
        return current.get();
    }

    /** Publishes {@code next}; the previous memory is released once its users are done. */
    public void replace(FrontendMemory next) {
        current.getAndSet(next).release();
    }
}
