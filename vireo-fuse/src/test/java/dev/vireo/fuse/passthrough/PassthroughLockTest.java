package dev.vireo.fuse.passthrough;

import dev.vireo.fuse.testing.LockHolder;
import dev.vireo.fuse.testing.PassthroughMount;
import dev.vireo.sys.Fd;
import dev.vireo.sys.FdCalls;
import dev.vireo.sys.FsCalls;
import dev.vireo.sys.abi.Flock;
import dev.vireo.sys.testing.FdLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileLockInterruptionException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * POSIX record locks through the mount are host locks: they conflict with other host processes'
 * locks both ways and are dropped on close, and a blocked SETLKW ends when the waiting thread is
 * interrupted (the kernel sends INTERRUPT, vireo wakes its lock thread and answers EINTR). The
 * host's lock holder is another process ({@link LockHolder}): POSIX locks belong to processes.
 */
@ExtendWith(FdLeakCheck.class)
class PassthroughLockTest {

    @Test
    void locksConflictWithTheHostAndAreDroppedOnClose(@TempDir Path dir) throws Exception {
        try (PassthroughMount m = PassthroughMount.start(dir)) {
            Path f = m.mnt().resolve("f");
            Files.writeString(f, "0123456789");
            try (LockHolder host = LockHolder.lock(m.source().resolve("f"), 5, 5);
                 FileChannel mount = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                assertThat(mount.tryLock(5, 5, false)).isNull();
                assertThat(mount.tryLock(9, 100, true)).isNull();
                FileLock l = mount.tryLock(0, 5, false);
                assertThat(l).isNotNull();
                // GETLK through the mount reports the host's lock.
                try (Fd fd = Fd.adopt(FsCalls.open(f.toString(), FsCalls.O_RDWR | FsCalls.O_CLOEXEC, 0), "f");
                     Arena a = Arena.ofConfined()) {
                    MemorySegment fl = a.allocate(Flock.LAYOUT);
                    Flock.set(fl, FdCalls.F_WRLCK, FdCalls.SEEK_SET, 6, 1, 0);
                    FdCalls.fcntlLock(fd.num(), FdCalls.F_GETLK, fl);
                    assertThat(Flock.type(fl)).isEqualTo(FdCalls.F_WRLCK);
                    assertThat(Flock.start(fl)).isEqualTo(5);
                    assertThat(Flock.len(fl)).isEqualTo(5);
                }
                l.release();
            }
            // The mount's lock keeps a host process out, until the mount's descriptor closes.
            try (FileChannel mount = FileChannel.open(f, StandardOpenOption.WRITE)) {
                mount.lock(0, 10, false);
                CompletableFuture<LockHolder> host = CompletableFuture.supplyAsync(() -> {
                    try {
                        return LockHolder.lock(m.source().resolve("f"), 0, 10);
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                assertThatThrownBy(() -> host.get(1, TimeUnit.SECONDS)).isInstanceOf(TimeoutException.class);
                mount.close();
                host.get(20, TimeUnit.SECONDS).close();
            }
        }
    }

    @Test
    void aBlockedLockWaitEndsWhenInterruptedAndOneThatIsGrantedSucceeds(@TempDir Path dir) throws Exception {
        try (PassthroughMount m = PassthroughMount.start(dir)) {
            Path f = m.mnt().resolve("f");
            Files.writeString(f, "x");
            try (LockHolder host = LockHolder.lock(m.source().resolve("f"), 0, 0)) {
                CompletableFuture<Void> result = new CompletableFuture<>();
                Thread t = Thread.ofPlatform().start(() -> {
                    try (FileChannel c = FileChannel.open(f, StandardOpenOption.WRITE)) {
                        c.lock();
                        result.complete(null);
                    } catch (Throwable e) {
                        result.completeExceptionally(e);
                    }
                });
                // Still waiting while the host holds the lock.
                assertThatThrownBy(() -> result.get(500, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
                t.interrupt();
                assertThatThrownBy(() -> result.get(20, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class)
                        .hasCauseInstanceOf(FileLockInterruptionException.class);
                t.join(TimeUnit.SECONDS.toMillis(10));
                assertThat(t.isAlive()).isFalse();
            }
            LockHolder host = LockHolder.lock(m.source().resolve("f"), 0, 0);
            CompletableFuture<Boolean> granted = CompletableFuture.supplyAsync(() -> {
                try (FileChannel c = FileChannel.open(f, StandardOpenOption.WRITE)) {
                    return c.lock().isValid();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            assertThatThrownBy(() -> granted.get(500, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
            host.close();
            assertThat(granted.get(20, TimeUnit.SECONDS)).isTrue();
        }
    }
}
