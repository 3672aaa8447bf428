package dev.vireo.cli.sysinfo;

import dev.vireo.sys.EventCalls;
import dev.vireo.sys.Fd;
import dev.vireo.sys.FdCalls;
import dev.vireo.sys.FsCalls;
import dev.vireo.sys.SysException;
import dev.vireo.sys.ThreadCalls;
import dev.vireo.sys.abi.Pollfd;
import dev.vireo.sys.abi.fuse.Fuse;
import dev.vireo.sys.abi.fuse.FuseInHeader;
import dev.vireo.sys.abi.fuse.FuseInitIn;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * FUSE: the device, the module's limits and, as root, the kernel's protocol version and offered
 * INIT flags, read from the INIT request of a throw-away mount that is never answered.
 */
public final class FuseProbe {

    /** INIT flags in bit order (fuse.h); their values come from {@link Fuse}. */
    private static final List<String> INIT_FLAGS = List.of("ASYNC_READ", "POSIX_LOCKS", "FILE_OPS", "ATOMIC_O_TRUNC",
            "EXPORT_SUPPORT", "BIG_WRITES", "DONT_MASK", "SPLICE_WRITE", "SPLICE_MOVE", "SPLICE_READ", "FLOCK_LOCKS",
            "HAS_IOCTL_DIR", "AUTO_INVAL_DATA", "DO_READDIRPLUS", "READDIRPLUS_AUTO", "ASYNC_DIO", "WRITEBACK_CACHE",
            "NO_OPEN_SUPPORT", "PARALLEL_DIROPS", "HANDLE_KILLPRIV", "POSIX_ACL", "ABORT_ERROR", "MAX_PAGES",
            "CACHE_SYMLINKS", "NO_OPENDIR_SUPPORT", "EXPLICIT_INVAL_DATA", "MAP_ALIGNMENT", "SUBMOUNTS",
            "HANDLE_KILLPRIV_V2", "SETXATTR_EXT", "INIT_EXT", "INIT_RESERVED", "SECURITY_CTX", "HAS_INODE_DAX",
            "CREATE_SUPP_GROUP", "HAS_EXPIRE_ONLY", "DIRECT_IO_ALLOW_MMAP", "PASSTHROUGH", "NO_EXPORT_SUPPORT",
            "HAS_RESEND", "ALLOW_IDMAP", "OVER_IO_URING", "REQUEST_TIMEOUT");

    private FuseProbe() {
    }

    public static Section probe(boolean mount) {
        Section s = new Section("FUSE");
        Path dev = Path.of("/dev/fuse");
        s.add("/dev/fuse", Files.exists(dev) ? "present" : "missing (modprobe fuse)");
        s.add("max_user_bgreq", HostProbe.read("/sys/module/fuse/parameters/max_user_bgreq"));
        s.add("max_user_congthresh", HostProbe.read("/sys/module/fuse/parameters/max_user_congthresh"));
        if (!Files.exists(dev)) {
            return s;
        }
        if (!mount) {
            s.add("kernel protocol", "not probed (--no-mount)");
        } else if (ThreadCalls.geteuid() != 0) {
            s.add("kernel protocol", "not probed (needs root to mount)");
        } else {
            try {
                readInit(s);
            } catch (SysException | IOException e) {
                s.add("kernel protocol", "probe failed: " + e.getMessage());
            }
        }
        return s;
    }

    private static void readInit(Section s) throws IOException {
        Path dir = Files.createTempDirectory("vireo-fuse-probe");
        try (Arena a = Arena.ofConfined();
             Fd fuse = Fd.adopt(FsCalls.open("/dev/fuse", FsCalls.O_RDWR | FsCalls.O_CLOEXEC, 0), "/dev/fuse")) {
            String options = "fd=" + fuse.num() + ",rootmode=40000,user_id=0,group_id=0";
            FsCalls.mount("vireo-probe", dir.toString(), "fuse.vireo-probe", FsCalls.MS_NOSUID | FsCalls.MS_NODEV, options);
            try {
                MemorySegment pfd = a.allocate(Pollfd.LAYOUT);
                Pollfd.set(pfd, 0, fuse.num(), EventCalls.POLLIN);
                if (EventCalls.poll(pfd, 1, 2000) <= 0) {
                    s.add("kernel protocol", "no INIT request within 2 s");
                    return;
                }
                MemorySegment buf = a.allocate(Fuse.FUSE_MIN_READ_BUFFER, 8);
                long n = FdCalls.read(fuse.num(), buf);
                if (n < FuseInHeader.SIZE + 16 || FuseInHeader.opcode(buf) != Fuse.FUSE_INIT) {
                    s.add("kernel protocol", "unexpected first request (" + n + " bytes, opcode " + FuseInHeader.opcode(buf) + ")");
                    return;
                }
                MemorySegment init = buf.asSlice(FuseInHeader.SIZE, n - FuseInHeader.SIZE);
                s.add("kernel protocol", FuseInitIn.major(init) + "." + FuseInitIn.minor(init));
                s.add("max_readahead", FuseInitIn.maxReadahead(init));
                long flags = Integer.toUnsignedLong(FuseInitIn.flags(init));
                if (init.byteSize() >= FuseInitIn.SIZE && (flags & Fuse.FUSE_INIT_EXT) != 0) {
                    flags |= Integer.toUnsignedLong(FuseInitIn.flags2(init)) << 32;
                }
                s.add("INIT flags offered", String.join(" ", flagNames(flags)));
            } finally {
                FsCalls.umount2(dir.toString(), FsCalls.MNT_DETACH);
            }
        } finally {
            Files.deleteIfExists(dir);
        }
    }

    private static List<String> flagNames(long flags) {
        List<String> names = new ArrayList<>();
        for (int bit = 0; bit < 64; bit++) {
            if ((flags & (1L << bit)) != 0) {
                names.add(bit < INIT_FLAGS.size() ? INIT_FLAGS.get(bit) : "bit" + bit);
            }
        }
        return names;
    }
}
