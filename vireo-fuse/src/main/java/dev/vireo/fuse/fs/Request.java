package dev.vireo.fuse.fs;

import dev.vireo.fuse.proto.Opcode;
import dev.vireo.mem.SgList;

import java.lang.foreign.MemorySegment;

/**
 * One FUSE request in a file system's hands: who sent it, and the one way to answer it. Every
 * request that expects a reply is answered <em>exactly once</em>, through one {@code reply*}
 * method; a second reply throws {@link IllegalStateException}. A file system method that returns
 * without replying (and without {@link #detach detaching}) is a bug: the dispatcher then answers
 * EIO itself and logs it. A method that throws {@link dev.vireo.sys.SysException} is answered with
 * that errno.
 *
 * <p>The request object, its {@link #attr()}, {@link #entry()} and any {@link Name} belong to the
 * worker thread and are reused for its next request: use them only during the call. To answer
 * later from another thread (a blocked lock), {@link #detach()} first.
 */
public interface Request {

    /** The opcode. */
    Opcode opcode();

    /** The kernel's id of this request. */
    long unique();

    /** The node id the request is about (0 for requests about no inode). */
    long nodeId();

    /** The requester's file-system user id (fsuid), as the kernel saw it. */
    int uid();

    /** The requester's file-system group id (fsgid). */
    int gid();

    /** The requester's process (thread-group) id; 0 for requests the kernel makes on its own. */
    int pid();

    /**
     * Supplementary groups the kernel sent with the request (FUSE_CREATE_SUPP_GROUP: on create,
     * mkdir, mknod, symlink and tmpfile, the parent directory's group when the requester belongs to
     * it). Returns how many were copied into {@code out}.
     */
    int supplementaryGroups(int[] out);

    /** Whether the kernel asked to interrupt this request (INTERRUPT). */
    boolean interrupted();

    /**
     * Runs {@code hook} when an INTERRUPT for this request arrives (on the thread that reads it),
     * or at once if one already has. Only detached requests can be interrupted usefully: a request
     * running on its worker blocks the worker that would read the INTERRUPT. The hook must not
     * block; it should wake what the request is waiting on.
     */
    void onInterrupt(Runnable hook);

    /**
     * Detaches the request from its worker so that it can be answered later from any thread; the
     * worker moves on to the next request. Returns the request object to answer: use it, not this
     * one, from now on. The arguments must have been read before (names and payload views die with
     * the worker's buffers). A detached reply carries at most {@value #DETACHED_REPLY_MAX} bytes.
     */
    Request detach();

    /** The largest reply a detached request can carry (errors, locks, small structs). */
    int DETACHED_REPLY_MAX = 4096;

    /**
     * Whether this request must be answered without blocking: it is served on a thread that serves
     * many (a virtio-fs queue's kick thread), and only for opcodes the file system accepts through
     * {@link LowLevelFileSystem#servesNonBlocking}. The file system then answers only if it can
     * without waiting for I/O (data in the page cache: preadv2 RWF_NOWAIT; a name in the dentry
     * cache: openat2 RESOLVE_CACHED), and otherwise calls {@link #retryBlocking()}.
     */
    default boolean nonBlocking() {
        return false;
    }

    /**
     * Gives a {@link #nonBlocking()} request back unanswered: it is served again from the start on
     * a thread that may block. Whatever the attempt wrote into the reply's buffers is overwritten.
     * Throws {@link IllegalStateException} if the request is not non-blocking or was answered.
     */
    default void retryBlocking() {
        throw new IllegalStateException("not a non-blocking attempt");
    }

    /** Whether a reply has been sent (or the request detached). */
    boolean replied();

    /** A cleared attribute holder for {@link #replyAttr}. */
    Attr attr();

    /** A cleared entry holder for {@link #replyEntry} and {@link #replyCreate}. */
    Entry entry();

    /** Answers with an error: a positive errno (ENOENT ...). */
    void replyError(int errno);

    /** Answers success without data (unlink, rename, setxattr, fsync, release ...). */
    void replyOk();

    /** Answers LOOKUP, MKNOD, MKDIR, SYMLINK, LINK; node id 0 makes a cacheable negative LOOKUP reply. */
    void replyEntry(Entry entry);

    /** Answers GETATTR and SETATTR. */
    void replyAttr(Attr attr, long timeoutNanos);

    /** Answers OPEN and OPENDIR with a file handle and FOPEN_* flags. */
    void replyOpen(long fh, int openFlags);

    /** Answers CREATE and TMPFILE: the new entry and its open file. */
    void replyCreate(Entry entry, long fh, int openFlags);

    /** Answers WRITE (and COPY_FILE_RANGE): bytes written. */
    void replyWrite(long count);

    /** Answers STATFS. */
    void replyStatfs(long blocks, long bfree, long bavail, long files, long ffree, int bsize, int namelen, int frsize);

    /** Answers READLINK with the link's target bytes. */
    void replyReadlink(MemorySegment target);

    /** Answers GETXATTR or LISTXATTR asked with size 0: the size the value or list needs. */
    void replyXattrSize(long size);

    /** Answers GETLK with the conflicting lock, or with type F_UNLCK when there is none. */
    void replyLock(FileLock lock);

    /** Answers LSEEK. */
    void replyLseek(long offset);

    /**
     * The reply's data area for READ (and other data replies), as views of the reply buffer, at
     * most {@code max} bytes: a file system reads into it in place (preadv into these iovecs) and
     * then calls {@link #replyData(long)}. On virtio-fs these are the guest's own buffers.
     */
    SgList dataBuffer(long max);

    /**
     * Answers a READ with up to {@code size} bytes of {@code fd} from {@code offset}, moved by the
     * transport without passing through user memory (splice on /dev/fuse), if the transport can;
     * returns false (and answers nothing) if it cannot, and the file system then uses
     * {@link #dataBuffer}. A read error is answered with its errno.
     */
    boolean replyFileData(int fd, long offset, int size);

    /** Answers with the first {@code length} bytes of {@link #dataBuffer}. */
    void replyData(long length);

    /** Answers with a copy of {@code data} (READ, GETXATTR, LISTXATTR). */
    void replyData(MemorySegment data);

    /** The record writer for READDIR/READDIRPLUS; then {@link #replyDirectory()}. */
    DirectoryWriter directory();

    /** Answers READDIR or READDIRPLUS with the records added to {@link #directory()} (none = end of directory). */
    void replyDirectory();
}
