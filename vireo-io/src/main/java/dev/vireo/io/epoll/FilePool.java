package dev.vireo.io.epoll;

import dev.vireo.sys.Log;

import java.util.ArrayList;
import java.util.List;

/**
 * The portable engine's file workers: platform threads that perform blocking calls (positional
 * reads and writes, fsync, fallocate, openat, close, statx) that epoll cannot wait for, because
 * regular files are always "ready". Work is a slot number; a result goes back as
 * {@code slot << 32 | result}, and the worker wakes the loop. Threads start on first use, so a
 * loop that only watches eventfds has none.
 */
final class FilePool {

    /** Performs the blocking operation of a slot; returns its result ({@code -errno} on failure). */
    interface Work {
        int run(int slot);
    }

    private static final Log LOG = Log.of("io");
    private static final long STOP = -1;

    private final String name;
    private final int size;
    private final Work work;
    private final Runnable wake;
    private final LongQueue jobs;
    private final LongQueue done;
    private final List<Thread> threads = new ArrayList<>();

    FilePool(String name, int size, int capacity, Work work, Runnable wake) {
        this.name = name;
        this.size = size;
        this.work = work;
        this.wake = wake;
        this.jobs = new LongQueue(capacity + size);
        this.done = new LongQueue(capacity);
    }

    /** Queues the blocking operation of {@code slot}. Loop thread. */
    void submit(int slot) {
        if (threads.isEmpty()) {
            for (int i = 0; i < size; i++) {
                Thread t = Thread.ofPlatform().name(name + "-file-" + i).daemon(true).start(this::workLoop);
                threads.add(t);
            }
        }
        jobs.put(slot);
    }

    /** Takes back a queued operation that no worker has started; false when it runs or ran. */
    boolean remove(int slot) {
        return jobs.remove(slot);
    }

    /** Whether results wait for the loop (a volatile read). */
    boolean hasDone() {
        return done.size() > 0;
    }

    /** Moves finished results into {@code out}; returns how many. */
    int drainDone(long[] out) {
        return done.drainTo(out);
    }

    /** Stops the workers after the work already queued; waits for them. */
    void close() {
        for (int i = 0; i < threads.size(); i++) {
            jobs.put(STOP);
        }
        boolean interrupted = false;
        for (Thread t : threads) {
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void workLoop() {
        while (true) {
            long job;
            try {
                job = jobs.take();
            } catch (InterruptedException e) {
                continue; // only close() ends a worker: queued work must still complete
            }
            if (job == STOP) {
                return;
            }
            int slot = (int) job;
            int result;
            try {
                result = work.run(slot);
            } catch (RuntimeException | Error e) {
                LOG.warn("file worker failed on slot %d: %s", slot, e);
                result = -dev.vireo.sys.Errno.EIO.code();
            }
            done.put((long) slot << 32 | (result & 0xFFFF_FFFFL));
            wake.run();
        }
    }
}
