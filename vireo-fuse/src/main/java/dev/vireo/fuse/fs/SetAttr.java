package dev.vireo.fuse.fs;

import dev.vireo.sys.abi.fuse.Fuse;
import dev.vireo.sys.abi.fuse.FuseSetattrIn;

import java.lang.foreign.MemorySegment;

/**
 * The argument of SETATTR: which attributes to change ({@code FATTR_*} bits of
 * {@code fuse_setattr_in.valid}) and their new values. A view over the worker's copy of the
 * request, valid during the call only.
 */
public final class SetAttr {

    private MemorySegment in;

    /** Points this view at a copied {@link FuseSetattrIn}. */
    public SetAttr set(MemorySegment setattrIn) {
        this.in = setattrIn;
        return this;
    }

    /** The raw FATTR_* bits. */
    public int valid() {
        return FuseSetattrIn.valid(in);
    }

    private boolean has(int bit) {
        return (FuseSetattrIn.valid(in) & bit) != 0;
    }

    public boolean hasMode() {
        return has(Fuse.FATTR_MODE);
    }

    /** New permission bits (and type bits, which a file system ignores). */
    public int mode() {
        return FuseSetattrIn.mode(in);
    }

    public boolean hasUid() {
        return has(Fuse.FATTR_UID);
    }

    public int uid() {
        return FuseSetattrIn.uid(in);
    }

    public boolean hasGid() {
        return has(Fuse.FATTR_GID);
    }

    public int gid() {
        return FuseSetattrIn.gid(in);
    }

    public boolean hasSize() {
        return has(Fuse.FATTR_SIZE);
    }

    public long size() {
        return FuseSetattrIn.size(in);
    }

    /** Whether a file handle came with the request (ftruncate, fchmod ...): {@link #fh()} is valid. */
    public boolean hasFh() {
        return has(Fuse.FATTR_FH);
    }

    public long fh() {
        return FuseSetattrIn.fh(in);
    }

    public boolean hasAtime() {
        return has(Fuse.FATTR_ATIME);
    }

    /** Whether the access time is to be set to the current time (FATTR_ATIME_NOW). */
    public boolean atimeNow() {
        return has(Fuse.FATTR_ATIME_NOW);
    }

    public long atimeSec() {
        return FuseSetattrIn.atime(in);
    }

    public int atimeNsec() {
        return FuseSetattrIn.atimensec(in);
    }

    public boolean hasMtime() {
        return has(Fuse.FATTR_MTIME);
    }

    /** Whether the modification time is to be set to the current time (FATTR_MTIME_NOW). */
    public boolean mtimeNow() {
        return has(Fuse.FATTR_MTIME_NOW);
    }

    public long mtimeSec() {
        return FuseSetattrIn.mtime(in);
    }

    public int mtimeNsec() {
        return FuseSetattrIn.mtimensec(in);
    }

    /** Whether ctime is given (FATTR_CTIME); a passthrough cannot set it and ignores it. */
    public boolean hasCtime() {
        return has(Fuse.FATTR_CTIME);
    }

    /** Whether set-user-ID and set-group-ID bits must be cleared (FATTR_KILL_SUIDGID, HANDLE_KILLPRIV_V2). */
    public boolean killSuidGid() {
        return has(Fuse.FATTR_KILL_SUIDGID);
    }

    /** The lock owner, valid with FATTR_LOCKOWNER. */
    public long lockOwner() {
        return FuseSetattrIn.lockOwner(in);
    }
}
