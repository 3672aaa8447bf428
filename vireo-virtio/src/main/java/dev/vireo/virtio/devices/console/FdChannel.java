package dev.vireo.virtio.devices.console;

import dev.vireo.sys.Fd;
import dev.vireo.sys.FdCalls;
import dev.vireo.sys.FsCalls;

import java.nio.file.Path;

/**
 * Plain descriptors: standard input/output, pipes, files. Blocking: the port thread polls before
 * it reads; output to a file or terminal is written whole.
 */
final class FdChannel extends PortChannel {

    private final Fd in;
    private final Fd out;
    private final String what;
    private boolean inputEnded;

    private FdChannel(Fd in, Fd out, String what) {
        this.in = in;
        this.out = out;
        this.what = what;
    }

    static FdChannel dupOf(int in, int out, String what) {
        Fd i = in >= 0 ? Fd.adopt(FdCalls.fcntl(in, FdCalls.F_DUPFD_CLOEXEC, 3), what + " input") : null;
        try {
            Fd o = out >= 0 ? Fd.adopt(FdCalls.fcntl(out, FdCalls.F_DUPFD_CLOEXEC, 3), what + " output") : null;
            return new FdChannel(i, o, what);
        } catch (RuntimeException e) {
            if (i != null) {
                i.close();
            }
            throw e;
        }
    }

    static FdChannel files(Path output, Path input) {
        Fd o = Fd.adopt(FsCalls.open(output.toString(),
                FsCalls.O_WRONLY | FsCalls.O_CREAT | FsCalls.O_APPEND | FsCalls.O_CLOEXEC, 0644), output.toString());
        try {
            Fd i = input == null ? null
                    : Fd.adopt(FsCalls.open(input.toString(), FsCalls.O_RDONLY | FsCalls.O_CLOEXEC, 0), input.toString());
            return new FdChannel(i, o, output + (input != null ? " < " + input : ""));
        } catch (RuntimeException e) {
            o.close();
            throw e;
        }
    }

    @Override
    int inputFd() {
        return in != null && !inputEnded ? in.num() : -1;
    }

    @Override
    int outputFd() {
        return out != null ? out.num() : -1;
    }

    @Override
    void hangup() {
        inputEnded = true; // end of input; output goes on
    }

    @Override
    boolean nonBlocking() {
        return false;
    }

    @Override
    boolean connected() {
        return true;
    }

    @Override
    public String describe() {
        return what;
    }

    @Override
    public void close() {
        if (in != null) {
            in.close();
        }
        if (out != null) {
            out.close();
        }
    }
}
