package dev.vireo.io.epoll;

import dev.vireo.sys.Errno;
import dev.vireo.sys.EventCalls;
import dev.vireo.sys.SysException;
import dev.vireo.sys.abi.EpollEvent;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * What waits on each descriptor, and epoll's registrations kept in line with it.
 *
 * <p>Each descriptor has four FIFO lists of slots: transfers waiting to read, transfers waiting
 * to write, polls, eventfd watches; they are linked through one array indexed by slot, so
 * waiting allocates nothing. A descriptor is registered with epoll, level-triggered, only while
 * something waits on it. Changes only mark the descriptor; {@link #sync} applies them once per
 * loop iteration, so a handler that re-submits a read on the same descriptor costs no
 * epoll_ctl, and an eventfd watch keeps its registration for good.
 *
 * <p>Descriptor numbers are reused after close(2). A registration that vanished with its file
 * is found again with EPOLL_CTL_MOD failing (ENOENT) and re-added; see docs/io.md for closing a
 * descriptor while operations wait on it.
 */
final class Interests {

    static final int READ = 0;
    static final int WRITE = 1;
    static final int POLL = 2;
    static final int WATCH = 3;

    /** The waiters of one descriptor. */
    static final class Interest {
        final int fd;
        /** The events epoll has for it now (0: not registered). */
        int registered;
        final int[] head = {-1, -1, -1, -1};
        final int[] tail = {-1, -1, -1, -1};
        /** The file refused RWF_NOWAIT: transfer only after epoll reports it ready. */
        boolean noNowait;
        boolean dirty;
        Interest nextDirty;

        Interest(int fd) {
            this.fd = fd;
        }

        boolean waiting(int list) {
            return head[list] >= 0;
        }
    }

    /** What {@link #sync} needs from the engine. */
    interface Owner {
        /** The poll(2) events the POLL waiter in {@code slot} waits for. */
        int pollEvents(int slot);

        /** epoll refused the descriptor (EPERM: a regular file or directory, always ready). */
        void notPollable(Interest in);

        /** epoll_ctl failed otherwise (EBADF: closed); every waiter should fail with {@code error}. */
        void failed(Interest in, int error);
    }

    /** poll(2) bits a POLL may wait for; ERR, HUP and NVAL are reported regardless. */
    private static final int POLL_WANT_MASK = 0x3FFF & ~(EventCalls.POLLERR | EventCalls.POLLHUP | EventCalls.POLLNVAL);

    private final int epfd;
    private final MemorySegment ctlEvent;
    private final int[] next;
    private Interest[] byFd = new Interest[64];
    private Interest dirtyHead;
    private long ctlCalls;

    Interests(int epfd, MemorySegment ctlEvent, int capacity) {
        this.epfd = epfd;
        this.ctlEvent = ctlEvent;
        this.next = new int[capacity];
    }

    /** The interest of {@code fd}, created on first use. */
    Interest of(int fd) {
        if (fd >= byFd.length) {
            byFd = Arrays.copyOf(byFd, Math.max(fd + 1, byFd.length * 2));
        }
        Interest in = byFd[fd];
        if (in == null) {
            in = new Interest(fd);
            byFd[fd] = in;
        }
        return in;
    }

    /** The interest of {@code fd} if it has one, for events. */
    Interest find(int fd) {
        return fd >= 0 && fd < byFd.length ? byFd[fd] : null;
    }

    /** Appends {@code slot} to one of the lists of {@code in}. */
    void add(Interest in, int list, int slot) {
        next[slot] = -1;
        if (in.tail[list] < 0) {
            in.head[list] = slot;
        } else {
            next[in.tail[list]] = slot;
        }
        in.tail[list] = slot;
        dirty(in);
    }

    /** Removes {@code slot} from a list of {@code in}. */
    void remove(Interest in, int list, int slot) {
        int prev = -1;
        for (int s = in.head[list]; s >= 0; prev = s, s = next[s]) {
            if (s == slot) {
                if (prev < 0) {
                    in.head[list] = next[s];
                } else {
                    next[prev] = next[s];
                }
                if (in.tail[list] == s) {
                    in.tail[list] = prev;
                }
                dirty(in);
                return;
            }
        }
        throw new IllegalStateException("slot " + slot + " is not in list " + list + " of fd " + in.fd);
    }

    /** Copies a list into {@code out} (handlers may change it while it is walked); returns its length. */
    int snapshot(Interest in, int list, int[] out) {
        int n = 0;
        for (int s = in.head[list]; s >= 0; s = next[s]) {
            out[n++] = s;
        }
        return n;
    }

    void dirty(Interest in) {
        if (!in.dirty) {
            in.dirty = true;
            in.nextDirty = dirtyHead;
            dirtyHead = in;
        }
    }

    /** The descriptor was closed by an operation of this loop: its registration went with it. */
    void closed(int fd) {
        Interest in = find(fd);
        if (in != null) {
            in.registered = 0;
            in.noNowait = false; // the number will name another file
        }
    }

    long ctlCalls() {
        return ctlCalls;
    }

    /** Brings each changed descriptor's registration in line with what waits on it. */
    void sync(Owner owner) {
        Interest in = dirtyHead;
        dirtyHead = null;
        while (in != null) {
            Interest n = in.nextDirty;
            in.nextDirty = null;
            in.dirty = false;
            sync(in, owner);
            in = n;
        }
    }

    private void sync(Interest in, Owner owner) {
        int want = 0;
        if (in.waiting(READ) || in.waiting(WATCH)) {
            want |= EventCalls.EPOLLIN;
        }
        if (in.waiting(WRITE)) {
            want |= EventCalls.EPOLLOUT;
        }
        for (int p = in.head[POLL]; p >= 0; p = next[p]) {
            want |= owner.pollEvents(p) & POLL_WANT_MASK; // poll and epoll bits have the same values
        }
        if (want == in.registered) {
            return;
        }
        try {
            if (want == 0) {
                ctl(EventCalls.EPOLL_CTL_DEL, in.fd, 0);
            } else if (in.registered == 0) {
                try {
                    ctl(EventCalls.EPOLL_CTL_ADD, in.fd, want);
                } catch (SysException e) {
                    if (!e.is(Errno.EEXIST)) {
                        throw e;
                    }
                    ctl(EventCalls.EPOLL_CTL_MOD, in.fd, want);
                }
            } else {
                try {
                    ctl(EventCalls.EPOLL_CTL_MOD, in.fd, want);
                } catch (SysException e) {
                    if (!e.is(Errno.ENOENT)) {
                        throw e;
                    }
                    ctl(EventCalls.EPOLL_CTL_ADD, in.fd, want); // closed, and the number reused
                }
            }
            in.registered = want;
        } catch (SysException e) {
            in.registered = 0;
            if (want == 0) {
                return; // gone already (closed): nothing to remove
            }
            if (e.is(Errno.EPERM)) {
                owner.notPollable(in);
            } else {
                owner.failed(in, -e.errno());
            }
        }
    }

    private void ctl(int op, int fd, int events) {
        ctlCalls++;
        EpollEvent.set(ctlEvent, events, fd);
        EventCalls.epollCtl(epfd, op, fd, op == EventCalls.EPOLL_CTL_DEL ? MemorySegment.NULL : ctlEvent);
    }
}
