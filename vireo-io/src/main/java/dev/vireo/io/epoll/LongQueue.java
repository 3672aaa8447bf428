package dev.vireo.io.epoll;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded FIFO of {@code long} values shared by the loop and the file workers: a ring buffer
 * under a lock, so that handing work over allocates nothing (a {@code BlockingQueue<Integer>}
 * would box every slot number). Its capacity is the loop's capacity, which bounds what can be
 * in it, so {@link #put} never waits. {@link #size()} is a volatile read, which the loop's
 * sleep/wake-up handshake relies on.
 */
final class LongQueue {

    private final long[] values;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private int head;
    private volatile int size;

    LongQueue(int capacity) {
        values = new long[capacity];
    }

    void put(long v) {
        lock.lock();
        try {
            if (size == values.length) {
                throw new IllegalStateException("queue full: " + size);
            }
            values[(head + size) % values.length] = v;
            size = size + 1;
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Waits for a value and removes it. */
    long take() throws InterruptedException {
        lock.lock();
        try {
            while (size == 0) {
                notEmpty.await();
            }
            long v = values[head];
            head = (head + 1) % values.length;
            size = size - 1;
            return v;
        } finally {
            lock.unlock();
        }
    }

    /** Moves every value into {@code out} (at least as long as the capacity); returns how many. */
    int drainTo(long[] out) {
        if (size == 0) {
            return 0;
        }
        lock.lock();
        try {
            int n = size;
            for (int i = 0; i < n; i++) {
                out[i] = values[(head + i) % values.length];
            }
            head = (head + n) % values.length;
            size = 0;
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** Removes the first occurrence of {@code v}; false when absent. */
    boolean remove(long v) {
        lock.lock();
        try {
            int n = size;
            for (int i = 0; i < n; i++) {
                if (values[(head + i) % values.length] == v) {
                    for (int j = i; j < n - 1; j++) {
                        values[(head + j) % values.length] = values[(head + j + 1) % values.length];
                    }
                    size = n - 1;
                    return true;
                }
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    int size() {
        return size;
    }
}
