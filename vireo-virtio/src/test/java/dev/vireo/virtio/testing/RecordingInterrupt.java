package dev.vireo.virtio.testing;

import dev.vireo.virtio.device.Interrupt;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * An {@link Interrupt} that counts what the device signalled, per queue and for configuration
 * changes, so tests can check notification suppression (EVENT_IDX, NO_INTERRUPT) and wait for
 * asynchronous devices.
 */
public final class RecordingInterrupt implements Interrupt {

    private final ConcurrentHashMap<Integer, AtomicInteger> used = new ConcurrentHashMap<>();
    private final AtomicInteger config = new AtomicInteger();

    @Override
    public void signalUsed(int queue) {
        used.computeIfAbsent(queue, q -> new AtomicInteger()).incrementAndGet();
        synchronized (this) {
            notifyAll();
        }
    }

    @Override
    public void signalConfig() {
        config.incrementAndGet();
        synchronized (this) {
            notifyAll();
        }
    }

    /** Used buffer notifications sent for {@code queue}. */
    public int usedCount(int queue) {
        AtomicInteger n = used.get(queue);
        return n == null ? 0 : n.get();
    }

    /** Configuration change notifications sent. */
    public int configCount() {
        return config.get();
    }

    /** Clears the counters. */
    public void clear() {
        used.clear();
        config.set(0);
    }

    /** Waits until {@code condition} holds or {@code timeout} passes; returns whether it holds. */
    public boolean await(BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (!condition.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    wait(Math.max(1, Math.min(left / 1_000_000, 20)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return true;
    }
}
