package dev.vireo.virtio.devices.console;

import dev.vireo.sys.Fd;
import dev.vireo.sys.SocketCalls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A listening Unix stream socket; the accepted client, one at a time, is the port's host side.
 * When the client goes away the socket listens again.
 */
final class SocketChannel extends PortChannel {

    private final Fd listener;
    private final Path path;
    private Fd client;

    private SocketChannel(Fd listener, Path path) {
        this.listener = listener;
        this.path = path;
    }

    static SocketChannel listen(Path path) {
        Fd s = Fd.adopt(SocketCalls.socket(SocketCalls.AF_UNIX,
                SocketCalls.SOCK_STREAM | SocketCalls.SOCK_CLOEXEC | SocketCalls.SOCK_NONBLOCK, 0), "console socket " + path);
        try {
            SocketCalls.bindUnix(s.num(), path.toString());
            SocketCalls.listen(s.num(), 1);
            return new SocketChannel(s, path);
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    @Override
    int inputFd() {
        return client != null ? client.num() : -1;
    }

    @Override
    int outputFd() {
        return client != null ? client.num() : -1;
    }

    @Override
    int acceptFd() {
        return client == null ? listener.num() : -1;
    }

    @Override
    void accept() {
        if (client == null) {
            client = Fd.adopt(SocketCalls.accept4(listener.num(), SocketCalls.SOCK_CLOEXEC | SocketCalls.SOCK_NONBLOCK),
                    "console client " + path);
        }
    }

    @Override
    void hangup() {
        if (client != null) {
            client.close();
            client = null;
        }
    }

    @Override
    boolean nonBlocking() {
        return true;
    }

    @Override
    boolean connected() {
        return client != null;
    }

    @Override
    public String describe() {
        return path.toString();
    }

    @Override
    public void close() {
        hangup();
        listener.close();
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
