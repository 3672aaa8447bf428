package dev.vireo.fuse.proto;

import dev.vireo.sys.abi.fuse.Fuse;

/**
 * Every FUSE request opcode of {@code enum fuse_opcode} (fuse.h 7.45), with whether the kernel
 * waits for a reply. Codes come from {@link Fuse}, whose values are checked against the installed
 * header ({@code OpcodeTest} checks that each constant here uses the one of the same name). Which
 * opcodes vireo serves is the dispatcher's decision; the others are answered ENOSYS.
 */
public enum Opcode {
    LOOKUP(Fuse.FUSE_LOOKUP),
    /** No reply: the kernel drops lookups. */
    FORGET(Fuse.FUSE_FORGET, false),
    GETATTR(Fuse.FUSE_GETATTR),
    SETATTR(Fuse.FUSE_SETATTR),
    READLINK(Fuse.FUSE_READLINK),
    SYMLINK(Fuse.FUSE_SYMLINK),
    MKNOD(Fuse.FUSE_MKNOD),
    MKDIR(Fuse.FUSE_MKDIR),
    UNLINK(Fuse.FUSE_UNLINK),
    RMDIR(Fuse.FUSE_RMDIR),
    RENAME(Fuse.FUSE_RENAME),
    LINK(Fuse.FUSE_LINK),
    OPEN(Fuse.FUSE_OPEN),
    READ(Fuse.FUSE_READ),
    WRITE(Fuse.FUSE_WRITE),
    STATFS(Fuse.FUSE_STATFS),
    RELEASE(Fuse.FUSE_RELEASE),
    FSYNC(Fuse.FUSE_FSYNC),
    SETXATTR(Fuse.FUSE_SETXATTR),
    GETXATTR(Fuse.FUSE_GETXATTR),
    LISTXATTR(Fuse.FUSE_LISTXATTR),
    REMOVEXATTR(Fuse.FUSE_REMOVEXATTR),
    FLUSH(Fuse.FUSE_FLUSH),
    INIT(Fuse.FUSE_INIT),
    OPENDIR(Fuse.FUSE_OPENDIR),
    READDIR(Fuse.FUSE_READDIR),
    RELEASEDIR(Fuse.FUSE_RELEASEDIR),
    FSYNCDIR(Fuse.FUSE_FSYNCDIR),
    GETLK(Fuse.FUSE_GETLK),
    SETLK(Fuse.FUSE_SETLK),
    SETLKW(Fuse.FUSE_SETLKW),
    ACCESS(Fuse.FUSE_ACCESS),
    CREATE(Fuse.FUSE_CREATE),
    /**
     * Normally no reply: the interrupted request answers (EINTR). A reply of EAGAIN asks the
     * kernel to send the INTERRUPT again, ENOSYS switches interrupts off for the connection.
     */
    INTERRUPT(Fuse.FUSE_INTERRUPT, false),
    BMAP(Fuse.FUSE_BMAP),
    DESTROY(Fuse.FUSE_DESTROY),
    IOCTL(Fuse.FUSE_IOCTL),
    POLL(Fuse.FUSE_POLL),
    /** Data the kernel returns for a NOTIFY_RETRIEVE; no reply. */
    NOTIFY_REPLY(Fuse.FUSE_NOTIFY_REPLY, false),
    /** No reply. */
    BATCH_FORGET(Fuse.FUSE_BATCH_FORGET, false),
    FALLOCATE(Fuse.FUSE_FALLOCATE),
    READDIRPLUS(Fuse.FUSE_READDIRPLUS),
    RENAME2(Fuse.FUSE_RENAME2),
    LSEEK(Fuse.FUSE_LSEEK),
    COPY_FILE_RANGE(Fuse.FUSE_COPY_FILE_RANGE),
    SETUPMAPPING(Fuse.FUSE_SETUPMAPPING),
    REMOVEMAPPING(Fuse.FUSE_REMOVEMAPPING),
    SYNCFS(Fuse.FUSE_SYNCFS),
    TMPFILE(Fuse.FUSE_TMPFILE),
    STATX(Fuse.FUSE_STATX),
    COPY_FILE_RANGE_64(Fuse.FUSE_COPY_FILE_RANGE_64),
    CUSE_INIT(Fuse.CUSE_INIT);

    private static final Opcode[] SMALL = new Opcode[64];

    static {
        for (Opcode o : values()) {
            if (o.code < SMALL.length) {
                SMALL[o.code] = o;
            }
        }
    }

    private final int code;
    private final boolean replies;

    Opcode(int code) {
        this(code, true);
    }

    Opcode(int code, boolean replies) {
        this.code = code;
        this.replies = replies;
    }

    /** The opcode's number on the wire. */
    public int code() {
        return code;
    }

    /** Whether the kernel expects a reply (false for FORGET, BATCH_FORGET, INTERRUPT, NOTIFY_REPLY). */
    public boolean replies() {
        return replies;
    }

    /** The opcode numbered {@code code}, or {@code null} for a number fuse.h does not define. */
    public static Opcode of(int code) {
        if (code >= 0 && code < SMALL.length) {
            return SMALL[code];
        }
        return code == Fuse.CUSE_INIT ? CUSE_INIT : null;
    }
}
