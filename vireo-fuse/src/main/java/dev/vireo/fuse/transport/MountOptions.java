package dev.vireo.fuse.transport;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * How to mount a FUSE file system with mount(2).
 *
 * @param mountPoint         where to mount (an empty directory)
 * @param source             the "device" shown in /proc/mounts (the served directory, or a name)
 * @param subtype            the file system type is {@code fuse.<subtype>}
 * @param allowOther         let users other than the mounting one use the mount ({@code allow_other});
 *                           needed for requests that run as the requester's uid
 * @param defaultPermissions let the kernel check mode bits before asking ({@code default_permissions})
 * @param readOnly           mount read-only (MS_RDONLY)
 * @param extra              further options as for mount -o: flags (ro, noexec, nosuid, nodev, noatime,
 *                           nodiratime, relatime, strictatime, lazytime, sync, dirsync) and FUSE
 *                           options (max_read=N, blksize=N) passed to the kernel
 */
public record MountOptions(Path mountPoint, String source, String subtype, boolean allowOther,
                           boolean defaultPermissions, boolean readOnly, List<String> extra) {

    public MountOptions {
        Objects.requireNonNull(mountPoint, "mountPoint");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(subtype, "subtype");
        extra = List.copyOf(extra);
        if (source.contains(",") || subtype.contains(",") || subtype.contains(" ")) {
            throw new IllegalArgumentException("source and subtype may not contain ',' (mount option separator)");
        }
    }

    /** Options for {@code mountPoint} with the defaults: allow_other, no default_permissions, read-write. */
    public static MountOptions of(Path mountPoint, String source) {
        return new MountOptions(mountPoint, source, "vireo", true, false, false, List.of());
    }

    public MountOptions withAllowOther(boolean v) {
        return new MountOptions(mountPoint, source, subtype, v, defaultPermissions, readOnly, extra);
    }

    public MountOptions withDefaultPermissions(boolean v) {
        return new MountOptions(mountPoint, source, subtype, allowOther, v, readOnly, extra);
    }

    public MountOptions withReadOnly(boolean v) {
        return new MountOptions(mountPoint, source, subtype, allowOther, defaultPermissions, v, extra);
    }

    public MountOptions withExtra(List<String> v) {
        return new MountOptions(mountPoint, source, subtype, allowOther, defaultPermissions, readOnly, v);
    }
}
