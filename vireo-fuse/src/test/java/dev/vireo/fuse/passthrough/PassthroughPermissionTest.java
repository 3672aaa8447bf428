package dev.vireo.fuse.passthrough;

import dev.vireo.fuse.testing.PassthroughMount;
import dev.vireo.sys.ThreadCalls;
import dev.vireo.sys.testing.FdLeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Permissions and ownership as another user: the test thread takes uid 4242 with setfsuid, so
 * that its requests reach vireo with that uid, and vireo runs them with it on the host.
 */
@ExtendWith(FdLeakCheck.class)
class PassthroughPermissionTest {

    private static final int UID = 4242;
    private static final int GID = 4343;

    private interface Body {
        void run() throws Exception;
    }

    private static void asUser(Body body) throws Exception {
        int oldGid = ThreadCalls.setfsgid(GID);
        int oldUid = ThreadCalls.setfsuid(UID);
        try {
            body.run();
        } finally {
            ThreadCalls.setfsuid(oldUid);
            ThreadCalls.setfsgid(oldGid);
        }
    }

    private static void prepare(Path dir, Path mnt) throws IOException {
        // The requester must be able to reach the mount: the temporary directory is private.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(dir.resolve("src"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(mnt.resolve("private"), "root only");
        Files.setPosixFilePermissions(mnt.resolve("private"), PosixFilePermissions.fromString("rw-------"));
        Files.createDirectory(mnt.resolve("open"));
        Files.setPosixFilePermissions(mnt.resolve("open"), PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.createDirectory(mnt.resolve("closed"));
        Files.writeString(mnt.resolve("closed/inner"), "x");
        Files.setPosixFilePermissions(mnt.resolve("closed"), PosixFilePermissions.fromString("rwx------"));
        Files.writeString(mnt.resolve("readable"), "everyone");
        Files.setPosixFilePermissions(mnt.resolve("readable"), PosixFilePermissions.fromString("rw-r--r--"));
    }

    private static void fileChecks(Path mnt, Path src) throws Exception {
        asUser(() -> {
            assertThatThrownBy(() -> Files.readString(mnt.resolve("private"))).isInstanceOf(AccessDeniedException.class);
            assertThatThrownBy(() -> Files.writeString(mnt.resolve("readable"), "no")).isInstanceOf(AccessDeniedException.class);
            assertThatThrownBy(() -> Files.writeString(mnt.resolve("not-at-root"), "no")).isInstanceOf(AccessDeniedException.class);
            assertThatThrownBy(() -> Files.delete(mnt.resolve("readable"))).isInstanceOf(AccessDeniedException.class);
            assertThat(Files.readString(mnt.resolve("readable"))).isEqualTo("everyone");
            Files.writeString(mnt.resolve("open/mine"), "mine");
            Files.createDirectory(mnt.resolve("open/mydir"));
            assertThatThrownBy(() -> Files.setPosixFilePermissions(mnt.resolve("readable"),
                    PosixFilePermissions.fromString("rwxrwxrwx"))).isInstanceOf(IOException.class);
            Files.setPosixFilePermissions(mnt.resolve("open/mine"), PosixFilePermissions.fromString("rw-------"));
            assertThat(Files.readString(mnt.resolve("open/mine"))).isEqualTo("mine");
        });
        // The host sees the requester as owner, and exactly the mode it asked for.
        assertThat(Files.getAttribute(src.resolve("open/mine"), "unix:uid")).isEqualTo(UID);
        assertThat(Files.getAttribute(src.resolve("open/mine"), "unix:gid")).isEqualTo(GID);
        assertThat(Files.getAttribute(src.resolve("open/mydir"), "unix:uid")).isEqualTo(UID);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(src.resolve("open/mine")))).isEqualTo("rw-------");
        assertThat(src.resolve("not-at-root")).doesNotExist();
    }

    /**
     * Without default_permissions and without caching, every check is the host's, directory search
     * permission included (each path walk looks names up again, as the requester).
     */
    @Test
    void theHostChecksEverythingWithoutCaching(@TempDir Path dir) throws Exception {
        PassthroughOptions o = PassthroughOptions.defaults().withCache(CachePolicy.NEVER).withRunAsRequester(true);
        try (PassthroughMount m = PassthroughMount.start(dir, o, 2, (mo, x) -> mo)) {
            prepare(dir, m.mnt());
            fileChecks(m.mnt(), m.source());
            asUser(() -> assertThatThrownBy(() -> Files.readString(m.mnt().resolve("closed/inner")))
                    .isInstanceOf(AccessDeniedException.class));
        }
    }

    /**
     * With caching, the kernel reuses directory entries across users; default_permissions makes the
     * kernel check mode bits too, and the host still decides (ownership, ACLs, everything on open).
     */
    @Test
    void defaultPermissionsWithCaching(@TempDir Path dir) throws Exception {
        PassthroughOptions o = PassthroughOptions.defaults().withCache(CachePolicy.ALWAYS).withRunAsRequester(true);
        try (PassthroughMount m = PassthroughMount.start(dir, o, 2, (mo, x) -> mo.withDefaultPermissions(true))) {
            prepare(dir, m.mnt());
            fileChecks(m.mnt(), m.source());
            asUser(() -> assertThatThrownBy(() -> Files.readString(m.mnt().resolve("closed/inner")))
                    .isInstanceOf(AccessDeniedException.class));
        }
    }
}
