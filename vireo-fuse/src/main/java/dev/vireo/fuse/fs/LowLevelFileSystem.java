package dev.vireo.fuse.fs;

import dev.vireo.fuse.proto.Opcode;
import dev.vireo.mem.SgList;
import dev.vireo.sys.Errno;

import java.lang.foreign.MemorySegment;

/**
 * An inode-based file system served over FUSE, in the style of libfuse's low-level API. Inodes are
 * named by 64-bit node ids the file system chooses (1 is the root, {@code FUSE_ROOT_ID}); open files
 * and directories by 64-bit file handles it chooses. Every method answers through its
 * {@link Request} (see there: exactly once); the defaults answer ENOSYS, which tells the kernel the
 * operation is not supported (for some, such as ACCESS or FLUSH, the kernel then stops asking).
 *
 * <h2>Lookup counts</h2>
 * Every reply that hands the kernel a node id ({@code replyEntry}, {@code replyCreate}, and each
 * READDIRPLUS record with a non-zero node id) adds one to that node's lookup count. The kernel
 * drops counts with {@link #forget}; a node may be freed when its count reaches zero, and not
 * before (it may still be used by later requests while the count is positive). A node id the
 * kernel sends that the file system does not know (a buggy or hostile client, an NFS export handle
 * after restart) must be answered ESTALE or EIO, never trusted.
 *
 * <h2>Threads</h2>
 * Methods are called concurrently from several worker threads (and, for virtio-fs, from queue
 * threads). Arguments such as {@link Name}, {@link SetAttr} and payload {@link SgList}s are views
 * valid during the call only.
 *
 * <p>The tests hold a small in-memory example ({@code MemoryFs}); {@code PassthroughFs} serves a
 * host directory.
 */
public interface LowLevelFileSystem {

    /**
     * Whether the handler of {@code opcode} honours {@link Request#nonBlocking()}: it answers
     * without blocking or gives the request back with {@link Request#retryBlocking()}. A transport
     * with a thread that must not block (virtio-fs's kick thread) then tries such requests there
     * first and hands only those given back to its worker threads: no thread hand-off, and no
     * sleeping and waking, for the requests the caches answer. Default: none.
     */
    default boolean servesNonBlocking(Opcode opcode) {
        return false;
    }

    /** INIT: choose capabilities ({@link Connection#want}); called once, before any other request. */
    default void init(Connection connection) {
    }

    /** DESTROY, or the end of the session: release everything. */
    default void destroy() {
    }

    /** LOOKUP: find {@code name} in directory {@code parent}; reply an entry (counts a lookup) or ENOENT. */
    default void lookup(Request req, long parent, Name name) {
        req.replyError(Errno.ENOSYS.code());
    }

    /** FORGET and BATCH_FORGET: the kernel drops {@code nlookup} lookups of {@code nodeId}. No reply. */
    default void forget(long nodeId, long nlookup) {
    }

    /** GETATTR; {@code fh} is -1 unless the kernel asked about an open file (fstat). */
    default void getattr(Request req, long nodeId, long fh) {
        req.replyError(Errno.ENOSYS.code());
    }

    /** SETATTR: chmod, chown, truncate, utimens; reply the new attributes. */
    default void setattr(Request req, long nodeId, SetAttr attrs) {
        req.replyError(Errno.ENOSYS.code());
    }

    /** READLINK. */
    default void readlink(Request req, long nodeId) {
        req.replyError(Errno.ENOSYS.code());
    }

    /** MKNOD; {@code mode} holds the type, {@code rdev} is a host dev_t, {@code umask} the requester's umask. */
    default void mknod(Request req, long parent, Name name, int mode, long rdev, int umask) {
        req.replyError(Errno.ENOSYS.code());
    }

    /** MKDIR. */
    default void mkdir(Request req, long parent, Name name, int mode, int umask) {
        req.replyError(Errno.ENOSYS.code());
    }

    /** UNLINK. */
    default void unlink(Request req, long parent, Name name) {
        req.replyError(Errno.ENOSYS.code());
    }

    /** RMDIR. */
    default void rmdir(Request req, long parent, Name name) {
        req.replyError(Errno.ENOSYS.code());
    }

    /** SYMLINK: create {@code name} in {@code parent} pointing at {@code target} (stored, never followed). */
    default void symlink(Request req, Name target, long parent, Name name) {
        req.replyError(Errno.ENOSYS.code());
    }

    /** RENAME and RENAME2; {@code flags} is 0 or RENAME_NOREPLACE, RENAME_EXCHANGE, RENAME_WHITEOUT. */
    default void rename(Request req, long parent, Name name, long newParent, Name newName, int flags) {
        req.replyError(Errno.ENOSYS.code());
    }

    /** LINK: a new name for {@code nodeId}. */
    default void link(Request req, long nodeId, long newParent, Name newName) {
        req.replyError(Errno.ENOSYS.code());
    }

    /** OPEN with open(2) flags; reply a file handle. */
    default void open(Request req, long nodeId, int flags) {
        req.replyError(Errno.ENOSYS.code());
    }

    /** READ of at most {@code size} bytes: fill {@link Request#dataBuffer} and reply its length. */
    default void read(Request req, long nodeId, long fh, long offset, int size, int flags) {
        req.replyError(Errno.ENOSYS.code());
    }

    /**
     * WRITE of {@code data} (views of the request: pass them to pwritev, no copy) at {@code offset};
     * {@code writeFlags} holds FUSE_WRITE_* bits (FUSE_WRITE_CACHE for page-cache writeback,
     * FUSE_WRITE_KILL_SUIDGID).
     */
    default void write(Request req, long nodeId, long fh, long offset, SgList data, int writeFlags, int flags) {
        req.replyError(Errno.ENOSYS.code());
    }

    /** FLUSH: a descriptor of the open file was closed; release {@code lockOwner}'s POSIX locks. */
    default void flush(Request req, long nodeId, long fh, long lockOwner) {
        req.replyError(Errno.ENOSYS.code());
    }

    /** RELEASE: the last descriptor of the open file is gone; the handle may be freed. */
    default void release(Request req, long nodeId, long fh, int flags, int releaseFlags, long lockOwner) {
        req.replyOk();
    }

    /** FSYNC; durability as fsync(2) (or fdatasync(2) when {@code datasync}). */
    default void fsync(Request req, long nodeId, long fh, boolean datasync) {
        req.replyError(Errno.ENOSYS.code());
    }

    /** OPENDIR; reply a directory handle. */
    default void opendir(Request req, long nodeId, int flags) {
        req.replyError(Errno.ENOSYS.code());
    }

    /**
     * READDIR ({@code plus} false) or READDIRPLUS: fill {@link Request#directory()} from
     * {@code offset} (0 = the beginning, else an offset a previous record carried) and reply.
     */
    default void readdir(Request req, long nodeId, long fh, long offset, int size, boolean plus) {
        req.replyError(Errno.ENOSYS.code());
    }

    /** RELEASEDIR. */
    default void releasedir(Request req, long nodeId, long fh, int flags) {
        req.replyOk();
    }

    /** FSYNCDIR. */
    default void fsyncdir(Request req, long nodeId, long fh, boolean datasync) {
        req.replyError(Errno.ENOSYS.code());
    }

    /** STATFS. */
    default void statfs(Request req, long nodeId) {
        req.replyStatfs(0, 0, 0, 0, 0, 512, 255, 0);
    }

    /** SETXATTR; {@code flags} is XATTR_CREATE/XATTR_REPLACE, {@code setxattrFlags} FUSE_SETXATTR_*. */
    default void setxattr(Request req, long nodeId, Name name, MemorySegment value, int flags, int setxattrFlags) {
        req.replyError(Errno.ENOSYS.code());
    }

    /** GETXATTR: with {@code size} 0 reply the value's size, else the value (ERANGE if larger than size). */
    default void getxattr(Request req, long nodeId, Name name, int size) {
        req.replyError(Errno.ENOSYS.code());
    }

    /** LISTXATTR: as GETXATTR, for the NUL-separated list of names. */
    default void listxattr(Request req, long nodeId, int size) {
        req.replyError(Errno.ENOSYS.code());
    }

    /** REMOVEXATTR. */
    default void removexattr(Request req, long nodeId, Name name) {
        req.replyError(Errno.ENOSYS.code());
    }

    /** ACCESS: R_OK/W_OK/X_OK (or F_OK) for the requester. */
    default void access(Request req, long nodeId, int mask) {
        req.replyError(Errno.ENOSYS.code());
    }

    /** CREATE: create and open {@code name}; reply with {@link Request#replyCreate}. */
    default void create(Request req, long parent, Name name, int mode, int umask, int flags) {
        req.replyError(Errno.ENOSYS.code());
    }

    /** GETLK: the first lock that would conflict with {@code lock}, or F_UNLCK. */
    default void getlk(Request req, long nodeId, long fh, long owner, FileLock lock) {
        req.replyError(Errno.ENOSYS.code());
    }

    /**
     * SETLK ({@code sleep} false: EAGAIN on conflict) or SETLKW ({@code sleep} true: wait; detach
     * the request and end the wait with EINTR on {@link Request#onInterrupt INTERRUPT}).
     */
    default void setlk(Request req, long nodeId, long fh, long owner, FileLock lock, boolean sleep) {
        req.replyError(Errno.ENOSYS.code());
    }

    /** FALLOCATE with fallocate(2) modes (FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE ...). */
    default void fallocate(Request req, long nodeId, long fh, int mode, long offset, long length) {
        req.replyError(Errno.ENOSYS.code());
    }

    /** COPY_FILE_RANGE (and COPY_FILE_RANGE_64): reply the bytes copied with {@link Request#replyWrite}. */
    default void copyFileRange(Request req, long nodeIn, long fhIn, long offIn, long nodeOut, long fhOut, long offOut,
                               long length, int flags) {
        req.replyError(Errno.ENOSYS.code());
    }

    /** LSEEK (SEEK_DATA, SEEK_HOLE; SEEK_SET/CUR/END are handled by the kernel). */
    default void lseek(Request req, long nodeId, long fh, long offset, int whence) {
        req.replyError(Errno.ENOSYS.code());
    }

    /** TMPFILE: an unnamed file in {@code parent} (O_TMPFILE); reply with {@link Request#replyCreate}. */
    default void tmpfile(Request req, long parent, int mode, int umask, int flags) {
        req.replyError(Errno.ENOSYS.code());
    }

    /** SYNCFS: flush the whole file system. */
    default void syncfs(Request req, long nodeId) {
        req.replyError(Errno.ENOSYS.code());
    }
}
