package dev.vireo.virtio.devices.fs;

import dev.vireo.sys.Log;
import dev.vireo.virtio.device.Interrupt;
import dev.vireo.virtio.queue.Virtqueue;
import dev.vireo.virtio.queue.VirtqueueException;

import java.util.ArrayDeque;

/**
 * One virtio-fs queue (hiprio or a request queue): pops chains on the thread that delivers its
 * kicks, hands each to the {@link FuseRequestHandler}, and gives it back when the handler
 * completes it, on any thread. The used side (used ring, interrupt decision, request pool) is
 * guarded by one lock; the pop side belongs to whoever holds the pop role, taken under that lock:
 * the kick thread, or a worker that has just answered a request and watches the ring for the
 * next ({@link #pollAsWorker}). A kick that finds the role taken is left to its holder. Completions
 * that happen during a batch share the batch's single interrupt decision.
 *
 * <p>Request objects are pooled: at most Queue Size are in flight, so the pool stops growing
 * there and steady state allocates nothing.
 */
final class FsQueue {

    private static final Log LOG = Log.of("virtio");

    private final Virtqueue queue;
    private final Interrupt interrupt;
    private final FuseRequestHandler handler;
    private final Object lock = new Object();
    private final ArrayDeque<FuseRequest> free = new ArrayDeque<>();
    /**
     * Used buffers a batch adds before the driver is considered for a notification: the driver
     * wakes for the first few answers and refills the queue while the rest are served, instead of
     * waiting for the whole batch (every answer: a wake-up per answer; the whole batch: no overlap).
     * Measured with {@code vireo fsload} at depth 16: 2 and 4 best, 8 and 16 clearly worse.
     */
    static final int NOTIFY_EVERY = 4;
    /** How long the kick thread, or a worker, watches an emptied ring before it sleeps ({@link FsDevice.Options#pollNanos}). */
    private final long pollNanos;
    private boolean inBatch;
    /** Used buffers added in this batch since the driver was last considered for a notification. */
    private int unnotified;
    /** Workers serving a run of requests that signal like a batch ({@link #deferNotifications}). */
    private int deferring;
    private boolean stopped;
    /** {@link #stop} waits for the requests in flight. */
    private boolean stopWaits;
    private int inFlight;
    /**
     * Who pops from the ring: the kick thread, a worker in {@link #pollAsWorker}, or a thread that
     * rescued the ring from a popper held up serving a request ({@link #leaveRing}); null for nobody.
     */
    private Thread popper;
    /** The queues of this queue's device, hiprio first ({@link #rescueDevice}). */
    private FsQueue[] device = {this};
    /** A kick came while a worker was popping: that worker drains the ring again before it stops. */
    private boolean kickPending;
    /** The worker for which {@link #complete} took the pop role; it keeps it in {@link #pollAsWorker}. */
    private Thread reservedFor;
    /** The kick thread holds the pop role and is watching the emptied ring ({@link #pollAvailable}). */
    private boolean kickThreadPolls;
    /**
     * The last request popped found others of this queue in flight: the driver keeps several
     * going, the kick thread finds their successors in the ring as they come, and a worker that
     * watched the ring after each answer would only spend CPU (measured at depth 16: 28 % more per
     * create). Workers watch the ring only while the driver sends one request at a time. Written
     * by the popper; read racily elsewhere, as a hint.
     */
    private volatile boolean deep;

    FsQueue(Virtqueue queue, Interrupt interrupt, FuseRequestHandler handler, long pollNanos) {
        this.pollNanos = pollNanos;
        this.queue = queue;
        this.interrupt = interrupt;
        this.handler = handler;
    }

    int index() {
        return queue.index();
    }

    /** The queue was kicked: pass every available request to the handler. */
    void process() {
        synchronized (lock) {
            if (stopped) {
                return;
            }
            if (popper != null) {
                // Another thread holds the pop role (pollAsWorker, a rescue): it drains the ring
                // for this kick when it lets the role go.
                kickPending = true;
                return;
            }
            popper = Thread.currentThread();
            inBatch = true;
        }
        drain(take(), pollNanos > 0);
    }

    /**
     * Pops and dispatches until the ring is empty and notifications are on again, with the pop
     * role held and {@code r} taken, polling the emptied ring if {@code poll}; then lets the role
     * go, draining again (and polling) for a kick that came meanwhile.
     */
    private void drain(FuseRequest r, boolean poll) {
        Thread self = Thread.currentThread();
        while (true) {
            boolean lostRole = false;
            try {
                queue.disableNotifications();
                while (true) {
                    if (queue.pop(r.chain) || (poll && pollAvailable(r))) {
                        boolean others = inFlight > 1; // racy read: a hint
                        if (others != deep) {
                            deep = others;
                        }
                        FuseRequest popped = r;
                        r = null;
                        dispatch(popped);
                        if (popper != self) {
                            // The handler served it off the ring (leaveRing) and another thread
                            // rescued the ring meanwhile: the rest, and the batch, are that thread's.
                            // Only this thread sets the role to itself, so the unlocked read is exact.
                            lostRole = true;
                            return;
                        }
                        r = take();
                        continue;
                    }
                    if (!queue.enableNotifications()) {
                        break;
                    }
                    queue.disableNotifications();
                }
            } catch (RuntimeException e) {
                LOG.warn("fs queue %d: unexpected %s", queue.index(), e.toString());
                queue.fail(new VirtqueueException(VirtqueueException.Kind.DEVICE_ERROR, "fs device failed: " + e, e));
            } finally {
                if (r != null) {
                    giveBack(r);
                }
                if (!lostRole) {
                    synchronized (lock) {
                        endBatch();
                    }
                }
            }
            synchronized (lock) {
                if (!kickPending || stopped) {
                    popper = null;
                    kickPending = false;
                    return;
                }
                kickPending = false;
                inBatch = true;
            }
            r = take();
            poll = pollNanos > 0;
        }
    }

    /** Makes {@code all} (hiprio first) the queues {@link #rescueDevice} drains. Before the first kick. */
    void joinDevice(FsQueue[] all) {
        synchronized (lock) {
            device = all;
        }
    }

    /**
     * Called by the handler, on the thread popping this queue, before it serves the request it
     * was just handed on this thread although the request may block: the pop role is let go, with
     * the driver's notifications still off, so that {@link #rescueDevice} can take it if the call
     * lasts. {@link #rejoinRing} takes the role back unless somebody did; the thread's drain then
     * ends (the rest is the new holder's). Returns false, doing nothing, when the calling thread
     * does not hold the role.
     */
    boolean leaveRing() {
        synchronized (lock) {
            if (popper != Thread.currentThread()) {
                return false;
            }
            popper = null;
            return true;
        }
    }

    /** Ends a {@link #leaveRing} that returned true: takes the pop role back if nobody took it meanwhile. */
    void rejoinRing() {
        synchronized (lock) {
            if (popper == null && !stopped) {
                // A rescue may have come and gone: it ended its batch with notifications on.
                popper = Thread.currentThread();
                inBatch = true;
                queue.disableNotifications();
            }
        }
    }

    /**
     * The thread that delivers this device's kicks is held up serving a request: drains every
     * queue of the device that nobody pops (the held-up one, which it left, and the others, whose
     * kicks it cannot deliver), on the calling thread, which the handler must not block. A queue
     * with nothing available costs a look at its ring.
     */
    void rescueDevice() {
        for (FsQueue q : deviceQueues()) {
            if (q != null) {
                q.drainIfFree();
            }
        }
    }

    private FsQueue[] deviceQueues() {
        synchronized (lock) {
            return device;
        }
    }

    /** Takes the pop role if nobody holds it and drains the ring, without polling. */
    private void drainIfFree() {
        synchronized (lock) {
            if (stopped || popper != null) {
                return;
            }
            popper = Thread.currentThread();
            inBatch = true;
        }
        drain(take(), false);
    }

    /**
     * Called by a worker that has just answered a request of this queue and has nothing else to
     * do: if nothing else of this queue is in flight and nobody is popping, it watches the ring
     * for {@link #pollNanos} with the driver's notifications off, as the kick thread does after a
     * batch, and returns the next request for the worker to serve itself (it may block), already
     * checked ({@link FuseRequest#begin}). With one request at a time this serves a stream of
     * blocking requests on one thread with neither a kick nor a hand-off between them. Returns
     * null when nothing came; whatever else is in the ring is dispatched as the kick thread
     * would, before the worker gets its request.
     */
    FuseRequest pollAsWorker() {
        // A racy look first, without the lock: with many requests in flight (the common case when
        // workers are busy) the answer is no, and every worker asks after every request. A stale
        // value only costs a look under the lock, or one poll not taken.
        if (pollNanos == 0 || (deep || inFlight > 1) && reservedFor != Thread.currentThread()) {
            return null;
        }
        long deadline = System.nanoTime() + pollNanos;
        FuseRequest r;
        while (true) {
            synchronized (lock) {
                if (reservedFor == Thread.currentThread()) {
                    // complete() took the role for this worker before it published the answer.
                    reservedFor = null;
                    if (stopped) {
                        popper = null;
                        return null;
                    }
                    inBatch = true;
                    inFlight++;
                    r = free.poll();
                    break;
                }
                // The popper holds one spare request; anything more is a request being served. A
                // kick thread that is polling already watches the ring: no need for two.
                if (stopped || inFlight > (popper != null ? 1 : 0) || kickThreadPolls) {
                    return null;
                }
                if (popper == null) {
                    popper = Thread.currentThread();
                    inBatch = true;
                    inFlight++;
                    r = free.poll();
                    break;
                }
            }
            // The kick thread is finishing the batch that handed this worker its request.
            if (System.nanoTime() - deadline >= 0) {
                return null;
            }
            Thread.onSpinWait();
        }
        if (r == null) {
            r = new FuseRequest(this);
        }
        FuseRequest mine = null;
        try {
            queue.disableNotifications();
            if (popWithin(r, deadline)) {
                deep = false; // it found nothing else in flight
                mine = r;
                r = null;
            }
        } catch (RuntimeException e) {
            LOG.warn("fs queue %d: unexpected %s", queue.index(), e.toString());
            queue.fail(new VirtqueueException(VirtqueueException.Kind.DEVICE_ERROR, "fs device failed: " + e, e));
        }
        // Anything that came with it, or a kick that came meanwhile, is dispatched as usual (without
        // a second poll: this one has just ended); the role is let go with notifications on, so
        // that the driver kicks for what comes while the worker is busy.
        drain(r != null ? r : take(), false);
        if (mine != null) {
            int refusal = mine.begin();
            if (refusal != 0) {
                LOG.debug("fs queue %d: refused %s (errno %d)", queue.index(), mine, refusal);
                mine.replyError(refusal);
                return null;
            }
        }
        return mine;
    }

    /**
     * A worker starts a run of requests it serves one after another (WRITEs of one file): until
     * {@link #resumeNotifications}, their completions are signalled as a batch's are, every
     * {@link #NOTIFY_EVERY} answers, so that the driver is not woken between every two of them.
     * A completion may thus wait for the signal up to three of the run's later requests.
     */
    void deferNotifications() {
        synchronized (lock) {
            deferring++;
        }
    }

    /** Ends a run begun with {@link #deferNotifications}: what it answered is signalled. */
    void resumeNotifications() {
        synchronized (lock) {
            if (--deferring == 0 && !inBatch) {
                unnotified = 0;
                if (!stopped && queue.needsNotification()) {
                    interrupt.signalUsed(queue.index());
                }
            }
        }
    }

    /** Ends the batch: completions signal on their own again, and what it answered is signalled. Under the lock. */
    private void endBatch() {
        inBatch = false;
        unnotified = 0;
        if (queue.needsNotification()) {
            interrupt.signalUsed(queue.index());
        }
    }

    /**
     * The ring is empty: signals what the batch has answered, then watches the ring for up to
     * {@link #pollNanos} with the driver's notifications still off, so that a driver which sends
     * its next request soon needs no notification and the kick thread no wake-up (both cost a
     * system call and, across CPUs, an inter-processor interrupt; for a guest, a kick is a VM exit).
     * It does not poll while a worker holds a request of this queue: the worker needs the CPU.
     * Returns true with a request popped into {@code r}.
     */
    private boolean pollAvailable(FuseRequest r) {
        synchronized (lock) {
            endBatch();
            if (inFlight > 1) { // more than r itself: a worker is busy with a request of ours
                inBatch = true;
                return false;
            }
            kickThreadPolls = true;
        }
        boolean arrived = popWithin(r, System.nanoTime() + pollNanos);
        synchronized (lock) {
            kickThreadPolls = false;
            inBatch = true;
        }
        return arrived;
    }

    /** Watches the ring until {@code deadline} (System.nanoTime); true with a request popped into {@code r}. */
    private boolean popWithin(FuseRequest r, long deadline) {
        do {
            Thread.onSpinWait();
            if (queue.pop(r.chain)) {
                return true;
            }
        } while (System.nanoTime() - deadline < 0);
        return false;
    }

    private void dispatch(FuseRequest r) {
        int refusal = r.begin();
        if (refusal != 0) {
            LOG.debug("fs queue %d: refused %s (errno %d)", queue.index(), r, refusal);
            r.replyError(refusal);
            return;
        }
        try {
            handler.handle(r);
        } catch (RuntimeException e) {
            LOG.warn("fs queue %d: handler failed on %s: %s", queue.index(), r, e.toString());
            synchronized (lock) {
                if (!r.isCompleted()) { // it may have completed before failing
                    r.replyError(FsDevice.EIO);
                }
            }
        }
    }

    private FuseRequest take() {
        synchronized (lock) {
            FuseRequest r = free.poll();
            inFlight++;
            return r != null ? r : new FuseRequest(this);
        }
    }

    private void giveBack(FuseRequest r) {
        synchronized (lock) {
            inFlight--;
            free.push(r);
            wakeStopper(); // stop() counts the spare request a polling process() holds
        }
    }

    /** A request's completion, from any thread. */
    void complete(FuseRequest r, long replyBytes) {
        synchronized (lock) {
            if (!r.markCompleted()) {
                throw new IllegalStateException("FUSE request completed twice: " + r);
            }
            inFlight--;
            if (pollNanos > 0 && !deep && r.completedByPollingWorker() && !stopped && popper == null && inFlight == 0) {
                // The completing worker will watch the ring next (pollAsWorker). It turns the
                // driver's notifications off before the driver sees the answer, or the driver's
                // next request, sent as soon as it does, would kick the sleeping kick thread.
                popper = Thread.currentThread();
                reservedFor = Thread.currentThread();
                queue.disableNotifications();
            }
            if (!stopped) {
                if (replyBytes < 0 || replyBytes > r.chain.writableBytes()) {
                    // A reply longer than the buffers cannot have been written: a handler bug.
                    LOG.warn("fs queue %d: reply of %d bytes for %d bytes of buffers", queue.index(), replyBytes, r.chain.writableBytes());
                    replyBytes = Math.max(0, Math.min(replyBytes, r.chain.writableBytes()));
                }
                queue.addUsed(r.chain, replyBytes);
                if (!inBatch && deferring == 0 || ++unnotified >= NOTIFY_EVERY) {
                    unnotified = 0;
                    if (queue.needsNotification()) {
                        interrupt.signalUsed(queue.index());
                    }
                }
            }
            free.push(r);
            wakeStopper();
        }
    }

    /**
     * Wakes {@link #stop} when it waits and nothing is in flight any more. Under the lock. Not a
     * notify on every answer: that cost 3 % of the kick thread at depth 16 (perf), inflating the
     * lock's monitor and entering the VM each time.
     */
    private void wakeStopper() {
        if (stopWaits && inFlight == 0) {
            lock.notifyAll();
        }
    }

    /**
     * Stops giving requests back (device reset) after waiting up to {@code millis} for those in
     * flight, so that a slow handler does not write a used entry into a ring the driver has since
     * reset. Returns the requests still in flight.
     */
    int stop(long millis) {
        synchronized (lock) {
            long deadline = System.nanoTime() + millis * 1_000_000;
            stopWaits = true;
            while (inFlight > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    lock.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            stopWaits = false;
            stopped = true;
            return inFlight;
        }
    }
}
