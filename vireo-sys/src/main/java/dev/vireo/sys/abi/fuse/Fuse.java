package dev.vireo.sys.abi.fuse;

import dev.vireo.sys.Ioctl;
import dev.vireo.sys.abi.CConstants;
import dev.vireo.sys.abi.NotInHeaders;

/**
 * Constants of {@code linux/fuse.h}: opcodes, INIT flags, FOPEN_/FATTR_ bits, compat sizes and
 * the /dev/fuse ioctls. Checked against the installed header (protocol 7.38 on Debian 12's
 * linux-libc-dev); later additions carry {@code @NotInHeaders}. The protocol version vireo speaks
 * is a decision of {@code dev.vireo.fuse.proto}, not of this header.
 */
@CConstants(headers = {"sys/ioctl.h", "linux/fuse.h"})
public final class Fuse {

    public static final int FUSE_KERNEL_VERSION = 7;
    public static final int FUSE_ROOT_ID = 1;
    public static final int FUSE_ASYNC_READ = 1;
    public static final int FUSE_POSIX_LOCKS = 2;
    public static final int FUSE_FILE_OPS = 4;
    public static final int FUSE_ATOMIC_O_TRUNC = 8;
    public static final int FUSE_EXPORT_SUPPORT = 16;
    public static final int FUSE_BIG_WRITES = 32;
    public static final int FUSE_DONT_MASK = 64;
    public static final int FUSE_SPLICE_WRITE = 128;
    public static final int FUSE_SPLICE_MOVE = 0x100;
    public static final int FUSE_SPLICE_READ = 0x200;
    public static final int FUSE_FLOCK_LOCKS = 0x400;
    public static final int FUSE_HAS_IOCTL_DIR = 0x800;
    public static final int FUSE_AUTO_INVAL_DATA = 0x1000;
    public static final int FUSE_DO_READDIRPLUS = 0x2000;
    public static final int FUSE_READDIRPLUS_AUTO = 0x4000;
    public static final int FUSE_ASYNC_DIO = 0x8000;
    public static final int FUSE_WRITEBACK_CACHE = 0x10000;
    public static final int FUSE_NO_OPEN_SUPPORT = 0x20000;
    public static final int FUSE_PARALLEL_DIROPS = 0x40000;
    public static final int FUSE_HANDLE_KILLPRIV = 0x80000;
    public static final int FUSE_POSIX_ACL = 0x100000;
    public static final int FUSE_ABORT_ERROR = 0x200000;
    public static final int FUSE_MAX_PAGES = 0x400000;
    public static final int FUSE_CACHE_SYMLINKS = 0x800000;
    public static final int FUSE_NO_OPENDIR_SUPPORT = 0x1000000;
    public static final int FUSE_EXPLICIT_INVAL_DATA = 0x2000000;
    public static final int FUSE_MAP_ALIGNMENT = 0x4000000;
    public static final int FUSE_SUBMOUNTS = 0x8000000;
    public static final int FUSE_HANDLE_KILLPRIV_V2 = 0x10000000;
    public static final int FUSE_SETXATTR_EXT = 0x20000000;
    public static final int FUSE_INIT_EXT = 0x40000000;
    public static final int FUSE_INIT_RESERVED = -2147483648;
    public static final long FUSE_SECURITY_CTX = 0x100000000L;
    public static final long FUSE_HAS_INODE_DAX = 0x200000000L;
    public static final long FUSE_HAS_EXPIRE_ONLY = 0x800000000L;
    /** Supplementary group extension on create, mkdir, symlink, mknod (fuse.h 7.38, Linux 6.3). */
    @NotInHeaders("fuse.h 7.38 as of Linux 6.3")
    public static final long FUSE_CREATE_SUPP_GROUP = 1L << 34;
    @NotInHeaders("fuse.h 7.39")
    public static final long FUSE_DIRECT_IO_ALLOW_MMAP = 1L << 36;
    @NotInHeaders("fuse.h 7.40")
    public static final long FUSE_PASSTHROUGH = 1L << 37;
    @NotInHeaders("fuse.h 7.40")
    public static final long FUSE_NO_EXPORT_SUPPORT = 1L << 38;
    @NotInHeaders("fuse.h 7.40")
    public static final long FUSE_HAS_RESEND = 1L << 39;
    @NotInHeaders("fuse.h 7.41")
    public static final long FUSE_ALLOW_IDMAP = 1L << 40;
    @NotInHeaders("fuse.h 7.42")
    public static final long FUSE_OVER_IO_URING = 1L << 41;
    @NotInHeaders("fuse.h 7.43")
    public static final long FUSE_REQUEST_TIMEOUT = 1L << 42;
    public static final int FUSE_RELEASE_FLUSH = 1;
    public static final int FUSE_RELEASE_FLOCK_UNLOCK = 2;
    public static final int FUSE_GETATTR_FH = 1;
    public static final int FUSE_LK_FLOCK = 1;
    public static final int FUSE_WRITE_CACHE = 1;
    public static final int FUSE_WRITE_LOCKOWNER = 2;
    public static final int FUSE_WRITE_KILL_SUIDGID = 4;
    public static final int FUSE_WRITE_KILL_PRIV = 4;
    public static final int FUSE_READ_LOCKOWNER = 2;
    public static final int FUSE_IOCTL_COMPAT = 1;
    public static final int FUSE_IOCTL_UNRESTRICTED = 2;
    public static final int FUSE_IOCTL_RETRY = 4;
    public static final int FUSE_IOCTL_32BIT = 8;
    public static final int FUSE_IOCTL_DIR = 16;
    public static final int FUSE_IOCTL_COMPAT_X32 = 32;
    public static final int FUSE_IOCTL_MAX_IOV = 0x100;
    public static final int FUSE_POLL_SCHEDULE_NOTIFY = 1;
    public static final int FUSE_FSYNC_FDATASYNC = 1;
    public static final int FUSE_ATTR_SUBMOUNT = 1;
    public static final int FUSE_ATTR_DAX = 2;
    public static final int FUSE_OPEN_KILL_SUIDGID = 1;
    public static final int FUSE_SETXATTR_ACL_KILL_SGID = 1;
    public static final int FUSE_EXPIRE_ONLY = 1;
    public static final int FUSE_MIN_READ_BUFFER = 0x2000;
    public static final int FUSE_COMPAT_ENTRY_OUT_SIZE = 120;
    public static final int FUSE_COMPAT_ATTR_OUT_SIZE = 96;
    public static final int FUSE_COMPAT_MKNOD_IN_SIZE = 8;
    public static final int FUSE_COMPAT_WRITE_IN_SIZE = 24;
    public static final int FUSE_COMPAT_STATFS_SIZE = 48;
    public static final int FUSE_COMPAT_SETXATTR_IN_SIZE = 8;
    public static final int FUSE_COMPAT_INIT_OUT_SIZE = 8;
    public static final int FUSE_COMPAT_22_INIT_OUT_SIZE = 24;
    public static final int FUSE_DEV_IOC_MAGIC = 229;
    public static final int FUSE_SETUPMAPPING_FLAG_WRITE = 1;
    public static final int FUSE_SETUPMAPPING_FLAG_READ = 2;
    public static final int FUSE_MAX_NR_SECCTX = 31;
    /** Extension type of {@code struct fuse_supp_groups} ({@code u32 nr_groups; u32 groups[]}; enum fuse_ext_type, 7.38 as of Linux 6.3). */
    @NotInHeaders("fuse.h 7.38 as of Linux 6.3")
    public static final int FUSE_EXT_GROUPS = 32;
    /** {@code offsetof(struct fuse_dirent, name)}. */
    public static final int FUSE_NAME_OFFSET = 24;
    /** {@code offsetof(struct fuse_direntplus, dirent.name)}. */
    public static final int FUSE_NAME_OFFSET_DIRENTPLUS = 152;
    /** High bit of a request's unique id: the kernel resends it (FUSE_HAS_RESEND). */
    @NotInHeaders("fuse.h 7.40")
    public static final long FUSE_UNIQUE_RESEND = 1L << 63;
    /**
     * Bit 0 of an INTERRUPT request's unique id (kernel-private, fs/fuse/fuse_i.h): an INTERRUPT
     * has the unique of the request it interrupts with this bit set, and so does a reply to it.
     */
    @NotInHeaders("kernel-private: fs/fuse/fuse_i.h")
    public static final long FUSE_INT_REQ_BIT = 1L;
    public static final int FUSE_LOOKUP = 1;
    public static final int FUSE_FORGET = 2;
    public static final int FUSE_GETATTR = 3;
    public static final int FUSE_SETATTR = 4;
    public static final int FUSE_READLINK = 5;
    public static final int FUSE_SYMLINK = 6;
    public static final int FUSE_MKNOD = 8;
    public static final int FUSE_MKDIR = 9;
    public static final int FUSE_UNLINK = 10;
    public static final int FUSE_RMDIR = 11;
    public static final int FUSE_RENAME = 12;
    public static final int FUSE_LINK = 13;
    public static final int FUSE_OPEN = 14;
    public static final int FUSE_READ = 15;
    public static final int FUSE_WRITE = 16;
    public static final int FUSE_STATFS = 17;
    public static final int FUSE_RELEASE = 18;
    public static final int FUSE_FSYNC = 20;
    public static final int FUSE_SETXATTR = 21;
    public static final int FUSE_GETXATTR = 22;
    public static final int FUSE_LISTXATTR = 23;
    public static final int FUSE_REMOVEXATTR = 24;
    public static final int FUSE_FLUSH = 25;
    public static final int FUSE_INIT = 26;
    public static final int FUSE_OPENDIR = 27;
    public static final int FUSE_READDIR = 28;
    public static final int FUSE_RELEASEDIR = 29;
    public static final int FUSE_FSYNCDIR = 30;
    public static final int FUSE_GETLK = 31;
    public static final int FUSE_SETLK = 32;
    public static final int FUSE_SETLKW = 33;
    public static final int FUSE_ACCESS = 34;
    public static final int FUSE_CREATE = 35;
    public static final int FUSE_INTERRUPT = 36;
    public static final int FUSE_BMAP = 37;
    public static final int FUSE_DESTROY = 38;
    public static final int FUSE_IOCTL = 39;
    public static final int FUSE_POLL = 40;
    public static final int FUSE_NOTIFY_REPLY = 41;
    public static final int FUSE_BATCH_FORGET = 42;
    public static final int FUSE_FALLOCATE = 43;
    public static final int FUSE_READDIRPLUS = 44;
    public static final int FUSE_RENAME2 = 45;
    public static final int FUSE_LSEEK = 46;
    public static final int FUSE_COPY_FILE_RANGE = 47;
    public static final int FUSE_SETUPMAPPING = 48;
    public static final int FUSE_REMOVEMAPPING = 49;
    public static final int FUSE_SYNCFS = 50;
    public static final int FUSE_TMPFILE = 51;
    @NotInHeaders("fuse.h 7.39")
    public static final int FUSE_STATX = 52;
    @NotInHeaders("fuse.h 7.45")
    public static final int FUSE_COPY_FILE_RANGE_64 = 53;
    public static final int CUSE_INIT = 0x1000;
    public static final int FUSE_INIT_BSWAP_RESERVED = 436207616;
    public static final int FUSE_NOTIFY_POLL = 1;
    public static final int FUSE_NOTIFY_INVAL_INODE = 2;
    public static final int FUSE_NOTIFY_INVAL_ENTRY = 3;
    public static final int FUSE_NOTIFY_STORE = 4;
    public static final int FUSE_NOTIFY_RETRIEVE = 5;
    public static final int FUSE_NOTIFY_DELETE = 6;
    public static final int FUSE_NOTIFY_CODE_MAX = 7;
    public static final int FATTR_MODE = 1;
    public static final int FATTR_UID = 2;
    public static final int FATTR_GID = 4;
    public static final int FATTR_SIZE = 8;
    public static final int FATTR_ATIME = 16;
    public static final int FATTR_MTIME = 32;
    public static final int FATTR_FH = 64;
    public static final int FATTR_ATIME_NOW = 128;
    public static final int FATTR_MTIME_NOW = 0x100;
    public static final int FATTR_LOCKOWNER = 0x200;
    public static final int FATTR_CTIME = 0x400;
    public static final int FATTR_KILL_SUIDGID = 0x800;
    public static final int FOPEN_DIRECT_IO = 1;
    public static final int FOPEN_KEEP_CACHE = 2;
    public static final int FOPEN_NONSEEKABLE = 4;
    public static final int FOPEN_CACHE_DIR = 8;
    public static final int FOPEN_STREAM = 16;
    public static final int FOPEN_NOFLUSH = 32;
    public static final int FOPEN_PARALLEL_DIRECT_WRITES = 64;
    @NotInHeaders("fuse.h 7.40")
    public static final int FOPEN_PASSTHROUGH = 128;

    /** {@code _IOR(FUSE_DEV_IOC_MAGIC, 0, uint32_t)}: attach a new /dev/fuse fd to an existing session. */
    public static final long FUSE_DEV_IOC_CLONE = Ioctl.ior(FUSE_DEV_IOC_MAGIC, 0, Integer.BYTES);

    private Fuse() {
    }
}
