package dev.vireo.vmm.guest;

import dev.vireo.vmm.host.HostCommand;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The busybox the guest's userland is made of: Debian's {@code busybox-static}, fetched like the
 * kernel; without apt, a static busybox on the host's PATH. It must be statically linked: the
 * initramfs has no C library.
 */
public final class Busybox {

    /** The Debian package of a statically linked busybox. */
    public static final String DEBIAN_PACKAGE = "busybox-static";

    private Busybox() {
    }

    /** Debian's busybox-static, from the cache or fetched now. */
    public static Path debian(DebianPackages packages) throws IOException, DebianPackages.FetchException {
        Path bb = packages.latest(DEBIAN_PACKAGE).root().resolve("bin/busybox");
        if (!Files.isRegularFile(bb)) {
            throw new IOException(DEBIAN_PACKAGE + " has no bin/busybox");
        }
        return bb;
    }

    /** A busybox on the host's PATH, if it is statically linked; else an exception saying what to do. */
    public static Path host() throws IOException {
        Path bb = HostCommand.find("busybox");
        if (bb == null || !isStatic(bb.toRealPath())) {
            throw new IOException("no statically linked busybox: install busybox-static, or pass --busybox FILE");
        }
        return bb.toRealPath();
    }

    /** Checks that {@code file} is a static x86-64 ELF executable, as the guest needs. */
    public static Path checked(Path file) throws IOException {
        if (!isStatic(file)) {
            throw new IOException(file + " is not a statically linked x86-64 executable (the guest has no C library)");
        }
        return file;
    }

    /**
     * Whether {@code file} is an ELF64 x86-64 executable without a program interpreter (PT_INTERP),
     * i.e. statically linked. Offsets per the System V ABI, checked against what was read.
     */
    static boolean isStatic(Path file) throws IOException {
        byte[] h;
        try (InputStream in = Files.newInputStream(file)) {
            h = in.readNBytes(64 * 1024);
        }
        if (h.length < 64 || h[0] != 0x7f || h[1] != 'E' || h[2] != 'L' || h[3] != 'F' || h[4] != 2 || h[5] != 1
                || u16(h, 0x12) != 62 /* EM_X86_64 */) {
            return false;
        }
        long phoff = u32(h, 0x20) & 0xffffffffL | (long) u32(h, 0x24) << 32;
        int phentsize = u16(h, 0x36);
        int phnum = u16(h, 0x38);
        if (phentsize < 56 || phoff < 0 || phoff + (long) phnum * phentsize > h.length) {
            return false;
        }
        for (int i = 0; i < phnum; i++) {
            if (u32(h, (int) (phoff + (long) i * phentsize)) == 3 /* PT_INTERP */) {
                return false;
            }
        }
        return true;
    }

    private static int u16(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8;
    }

    private static int u32(byte[] b, int off) {
        return u16(b, off) | u16(b, off + 2) << 16;
    }
}
