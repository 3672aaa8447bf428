package dev.vireo.fuse.transport;

import dev.vireo.sys.Fd;
import dev.vireo.sys.FsCalls;
import dev.vireo.sys.Log;
import dev.vireo.sys.SysException;
import dev.vireo.sys.ThreadCalls;
import dev.vireo.sys.abi.Statx;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * A FUSE mount made with mount(2): opens /dev/fuse, mounts {@code fuse.<subtype>} with
 * {@code fd=N,rootmode=40000,user_id=U,group_id=G} and the chosen options, and unmounts. Needs
 * CAP_SYS_ADMIN (root); vireo does not use the fusermount3 helper.
 *
 * <p>The mount owns the session's /dev/fuse descriptor ({@link #device()}), which the transport
 * reads. {@link #unmount()} detaches the mount (MNT_DETACH); {@link #abort()} ends the connection
 * at once through {@code /sys/fs/fuse/connections/N/abort}, for when open files keep a detached
 * mount alive.
 */
public final class FuseMount implements AutoCloseable {

    private static final Log LOG = Log.of("fuse");

    /** Mount flags that `-o` may name, as mount(8) spells them. */
    private static final Map<String, Long> FLAGS = Map.ofEntries(
            Map.entry("ro", (long) FsCalls.MS_RDONLY),
            Map.entry("nosuid", (long) FsCalls.MS_NOSUID),
            Map.entry("nodev", (long) FsCalls.MS_NODEV),
            Map.entry("noexec", (long) FsCalls.MS_NOEXEC),
            Map.entry("noatime", (long) FsCalls.MS_NOATIME),
            Map.entry("nodiratime", (long) FsCalls.MS_NODIRATIME),
            Map.entry("strictatime", (long) FsCalls.MS_STRICTATIME),
            Map.entry("lazytime", (long) FsCalls.MS_LAZYTIME),
            Map.entry("sync", (long) FsCalls.MS_SYNCHRONOUS),
            Map.entry("dirsync", (long) FsCalls.MS_DIRSYNC));
    /** Options that undo a default flag. */
    private static final Map<String, Long> CLEAR = Map.of(
            "rw", (long) FsCalls.MS_RDONLY, "suid", (long) FsCalls.MS_NOSUID, "dev", (long) FsCalls.MS_NODEV,
            "exec", (long) FsCalls.MS_NOEXEC, "atime", (long) FsCalls.MS_NOATIME, "relatime", 0L, "async", 0L);
    /** FUSE options passed to the kernel as they are (the rest are vireo's to decide). */
    private static final List<String> KERNEL_OPTIONS = List.of("max_read=", "blksize=");

    private final Fd device;
    private final Path mountPoint;
    private final int connection;
    private final AtomicBoolean mounted = new AtomicBoolean(true);

    private FuseMount(Fd device, Path mountPoint, int connection) {
        this.device = device;
        this.mountPoint = mountPoint;
        this.connection = connection;
    }

    /**
     * Checks the mount point (an existing, empty directory that is not already a mount point),
     * opens /dev/fuse and mounts. Throws {@link IllegalArgumentException} with a message for the
     * user when the mount point is unsuitable, {@link SysException} when mount(2) fails.
     */
    public static FuseMount mount(MountOptions options) {
        Path mnt = options.mountPoint().toAbsolutePath().normalize();
        checkMountPoint(mnt);
        long flags = FsCalls.MS_NOSUID | FsCalls.MS_NODEV;
        StringBuilder data = new StringBuilder();
        for (String o : options.extra()) {
            String opt = o.trim();
            if (opt.isEmpty()) {
                continue;
            }
            if (FLAGS.containsKey(opt)) {
                flags |= FLAGS.get(opt);
            } else if (CLEAR.containsKey(opt)) {
                flags &= ~CLEAR.get(opt);
            } else if (KERNEL_OPTIONS.stream().anyMatch(opt::startsWith) && opt.matches("[a-z_]+=[0-9]+")) {
                data.append(',').append(opt);
            } else if (opt.equals("allow_other") || opt.equals("default_permissions")) {
                data.append(',').append(opt);
            } else {
                throw new IllegalArgumentException("unknown mount option '" + opt + "'");
            }
        }
        if (options.readOnly()) {
            flags |= FsCalls.MS_RDONLY;
        }
        if (options.allowOther() && data.indexOf(",allow_other") < 0) {
            data.append(",allow_other");
        }
        if (options.defaultPermissions() && data.indexOf(",default_permissions") < 0) {
            data.append(",default_permissions");
        }
        Fd dev = Fd.adopt(FsCalls.open("/dev/fuse", FsCalls.O_RDWR | FsCalls.O_CLOEXEC, 0), "/dev/fuse");
        try {
            String mountData = "fd=" + dev.num() + ",rootmode=40000,user_id=" + ThreadCalls.getuid()
                    + ",group_id=" + ThreadCalls.getgid() + data;
            LOG.debug("mount %s on %s: flags 0x%x, %s", options.source(), mnt, flags, mountData);
            FsCalls.mount(options.source(), mnt.toString(), "fuse." + options.subtype(), flags, mountData);
            return new FuseMount(dev, mnt, connectionId(mnt));
        } catch (RuntimeException e) {
            dev.close();
            throw e;
        }
    }

    private static void checkMountPoint(Path mnt) {
        if (!Files.exists(mnt)) {
            throw new IllegalArgumentException("mount point " + mnt + " does not exist");
        }
        if (!Files.isDirectory(mnt)) {
            throw new IllegalArgumentException("mount point " + mnt + " is not a directory");
        }
        if (isMountPoint(mnt)) {
            throw new IllegalArgumentException("mount point " + mnt + " is busy: something is already mounted there");
        }
        try (Stream<Path> s = Files.list(mnt)) {
            if (s.findAny().isPresent()) {
                throw new IllegalArgumentException("mount point " + mnt + " is not empty");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read mount point " + mnt + ": " + e.getMessage());
        }
    }

    /** Whether {@code dir} is the root of a mount (STATX_ATTR_MOUNT_ROOT, or a device change from its parent). */
    static boolean isMountPoint(Path dir) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(Statx.LAYOUT);
            FsCalls.statx(FsCalls.AT_FDCWD, dir.toString(), FsCalls.AT_SYMLINK_NOFOLLOW, FsCalls.STATX_INO, st);
            long dev = ((long) Statx.devMajor(st) << 32) | Statx.devMinor(st);
            Path parent = dir.getParent();
            if (parent == null) {
                return true;
            }
            FsCalls.statx(FsCalls.AT_FDCWD, parent.toString(), FsCalls.AT_SYMLINK_NOFOLLOW, FsCalls.STATX_INO, st);
            long parentDev = ((long) Statx.devMajor(st) << 32) | Statx.devMinor(st);
            return dev != parentDev;
        }
    }

    /**
     * The FUSE connection number: the minor device number of the mounted file system, read from
     * /proc/self/mountinfo (a stat of the mount point would wait for INIT, which no thread serves
     * yet).
     */
    private static int connectionId(Path mnt) {
        String escaped = mnt.toString().replace("\\", "\\134").replace(" ", "\\040").replace("\t", "\\011")
                .replace("\n", "\\012");
        int found = -1;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                if (f.length > 4 && f[4].equals(escaped)) {
                    String dev = f[2];
                    found = Integer.parseInt(dev.substring(dev.indexOf(':') + 1));
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("cannot find the FUSE connection of %s: %s", mnt, e);
        }
        return found;
    }

    /** The session's /dev/fuse descriptor. */
    public Fd device() {
        return device;
    }

    public Path mountPoint() {
        return mountPoint;
    }

    /** The connection's number in /sys/fs/fuse/connections, or -1 if unknown. */
    public int connection() {
        return connection;
    }

    /** Whether {@link #unmount()} has not run yet. */
    public boolean mounted() {
        return mounted.get();
    }

    /**
     * Detaches the mount (umount2 with MNT_DETACH); once no file on it is open, the kernel ends the
     * connection and the transport's reads fail with ENODEV. Idempotent; a mount already gone
     * (unmounted from outside) is not an error.
     */
    public void unmount() {
        if (mounted.compareAndSet(true, false)) {
            try {
                FsCalls.umount2(mountPoint.toString(), FsCalls.MNT_DETACH | FsCalls.UMOUNT_NOFOLLOW);
            } catch (SysException e) {
                if (!e.is(dev.vireo.sys.Errno.EINVAL) && !e.is(dev.vireo.sys.Errno.ENOENT)) {
                    throw e;
                }
                LOG.debug("unmount %s: %s (already unmounted)", mountPoint, e.getMessage());
            }
        }
    }

    /** Ends the connection at once: pending and future requests fail (ECONNABORTED) in the kernel. */
    public void abort() {
        if (connection < 0) {
            return;
        }
        Path abort = Path.of("/sys/fs/fuse/connections", Integer.toString(connection), "abort");
        try {
            Files.writeString(abort, "1");
        } catch (IOException e) {
            LOG.debug("cannot abort FUSE connection %d: %s", connection, e.getMessage());
        }
    }

    /** Unmounts (if still mounted) and closes the /dev/fuse descriptor. */
    @Override
    public void close() {
        try {
            unmount();
        } finally {
            device.close();
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "FuseMount[%s, connection %d]", mountPoint, connection);
    }

    /** Splits a comma-separated -o argument. */
    public static List<String> splitOptions(List<String> args) {
        List<String> out = new ArrayList<>();
        for (String a : args) {
            for (String s : a.split(",")) {
                if (!s.isBlank()) {
                    out.add(s.trim());
                }
            }
        }
        return out;
    }
}
