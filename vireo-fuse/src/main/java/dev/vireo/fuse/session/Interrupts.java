package dev.vireo.fuse.session;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * INTERRUPT bookkeeping for one session. A request that can wait (a detached SETLKW) registers a
 * hook; an INTERRUPT for its unique id runs the hook. Workers read requests concurrently, so an
 * INTERRUPT may be read before the request it names has registered: such "early" interrupts are
 * remembered (a bounded set, oldest dropped: an INTERRUPT for a request that never registers, such
 * as a READ that already finished, must not accumulate) and fire on registration.
 */
final class Interrupts {

    /** How many unmatched INTERRUPTs are remembered. */
    static final int EARLY_MAX = 1024;

    private record Registration(SessionRequest request, Runnable hook) {
    }

    private final Map<Long, Registration> registered = new HashMap<>();
    private final Map<Long, Boolean> early = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
            return size() > EARLY_MAX;
        }
    };

    /** Registers {@code hook} for {@code request}; runs it at once if an INTERRUPT came first. */
    void register(SessionRequest request, Runnable hook) {
        boolean fire;
        synchronized (this) {
            fire = early.remove(request.unique()) != null;
            if (!fire) {
                registered.put(request.unique(), new Registration(request, hook));
            }
        }
        if (fire) {
            request.markInterrupted();
            hook.run();
        }
    }

    /** Forgets {@code unique}'s registration (the request has been answered). */
    synchronized void unregister(long unique) {
        registered.remove(unique);
    }

    /** Handles an INTERRUPT for request {@code unique}. */
    void interrupt(long unique) {
        Registration r;
        synchronized (this) {
            r = registered.remove(unique);
            if (r == null) {
                early.put(unique, Boolean.TRUE);
            }
        }
        if (r != null) {
            r.request().markInterrupted();
            r.hook().run();
        }
    }

    /** Registered requests (tests). */
    synchronized int registeredCount() {
        return registered.size();
    }
}
