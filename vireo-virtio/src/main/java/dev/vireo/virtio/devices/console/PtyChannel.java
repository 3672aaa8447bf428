package dev.vireo.virtio.devices.console;

import dev.vireo.sys.EventCalls;
import dev.vireo.sys.Fd;
import dev.vireo.sys.FdCalls;
import dev.vireo.sys.FsCalls;
import dev.vireo.sys.TermCalls;
import dev.vireo.sys.abi.Pollfd;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A pseudo-terminal whose master vireo holds. The slave is put into raw mode once (no echo, no
 * line editing, no CR/LF translation), as QEMU's pty chardev does, so bytes pass unchanged. While
 * no process has the slave open the master reports POLLHUP: the port discards output then, and
 * the port thread re-checks every {@value #RECHECK_MS} ms instead of polling the master (which
 * would report POLLHUP in a busy loop).
 */
final class PtyChannel extends PortChannel {

    static final int RECHECK_MS = 100;

    private final Fd master;
    private final String slave;
    private final MemorySegment pollfd = Arena.ofAuto().allocate(Pollfd.LAYOUT);
    private boolean hungUp;

    private PtyChannel(Fd master, String slave) {
        this.master = master;
        this.slave = slave;
        this.hungUp = checkHangup();
    }

    static PtyChannel open() {
        Fd master = TermCalls.openpt(FsCalls.O_RDWR | FsCalls.O_NOCTTY | FsCalls.O_CLOEXEC);
        try {
            TermCalls.grantpt(master.num());
            TermCalls.unlockpt(master.num());
            String slave = TermCalls.ptsname(master.num());
            try (Fd s = Fd.adopt(FsCalls.open(slave, FsCalls.O_RDWR | FsCalls.O_NOCTTY | FsCalls.O_CLOEXEC, 0), slave)) {
                TermCalls.makeRaw(s.num());
            }
            FdCalls.fcntl(master.num(), FdCalls.F_SETFL, FdCalls.fcntl(master.num(), FdCalls.F_GETFL, 0) | FsCalls.O_NONBLOCK);
            return new PtyChannel(master, slave);
        } catch (RuntimeException e) {
            master.close();
            throw e;
        }
    }

    /** The slave's path, e.g. /dev/pts/3. */
    String slavePath() {
        return slave;
    }

    private boolean checkHangup() {
        Pollfd.set(pollfd, 0, master.num(), EventCalls.POLLIN);
        EventCalls.poll(pollfd, 1, 0);
        return (Pollfd.revents(pollfd, 0) & EventCalls.POLLHUP) != 0;
    }

    @Override
    int inputFd() {
        return hungUp ? -1 : master.num();
    }

    @Override
    int outputFd() {
        return hungUp ? -1 : master.num();
    }

    @Override
    void hangup() {
        hungUp = true;
    }

    @Override
    boolean hangupAtOnce() {
        return true;
    }

    @Override
    boolean nonBlocking() {
        return true;
    }

    @Override
    boolean connected() {
        return !hungUp;
    }

    @Override
    int recheckMillis() {
        return hungUp ? RECHECK_MS : -1;
    }

    @Override
    boolean recheck() {
        boolean was = hungUp;
        hungUp = checkHangup();
        return was != hungUp;
    }

    @Override
    public String describe() {
        return slave;
    }

    @Override
    public void close() {
        master.close();
    }
}
