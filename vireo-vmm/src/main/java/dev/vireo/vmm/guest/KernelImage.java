package dev.vireo.vmm.guest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The header of an x86 bzImage, checked per the Linux boot protocol
 * ({@code Documentation/arch/x86/boot.rst}, "The real-mode kernel header"). Only what tells a
 * bzImage from anything else is read; every offset is bounds-checked against the bytes given, so
 * any file may be passed.
 *
 * @param protocol the boot protocol version (e.g. {@code 0x020f} for 2.15)
 * @param version  the kernel version string ({@code kernel_version}), or "" when the kernel has none
 * @param setupSectors the number of 512-byte setup sectors after the boot sector
 */
public record KernelImage(int protocol, String version, int setupSectors) {

    /** How many bytes of a file {@link #parse} needs at most: the boot sector and the largest setup. */
    public static final int HEADER_BYTES = 512 * 256;

    // boot.rst, "The real-mode kernel header": offsets of the fields read here.
    private static final int SETUP_SECTS = 0x1f1;
    private static final int BOOT_FLAG = 0x1fe;      // 0xAA55
    private static final int HEADER = 0x202;         // "HdrS"
    private static final int VERSION = 0x206;        // protocol version, 2.00 and later
    private static final int KERNEL_VERSION = 0x20e; // pointer to the version string, minus 0x200
    private static final int LOADFLAGS = 0x211;      // bit 0: LOADED_HIGH (a bzImage)
    private static final int XLOADFLAGS = 0x236;     // protocol 2.12+: bit 0 XLF_KERNEL_64
    private static final int HDRS_MAGIC = 0x53726448;
    private static final int MAX_VERSION_STRING = 256;

    /** Why a file is not a kernel vireo can boot. */
    public static final class NotABzImageException extends Exception {
        public NotABzImageException(String message) {
            super(message);
        }
    }

    /** Reads and checks the header of the file at {@code path}. */
    public static KernelImage read(Path path) throws IOException, NotABzImageException {
        byte[] head;
        try (InputStream in = Files.newInputStream(path)) {
            head = in.readNBytes(HEADER_BYTES);
        }
        return parse(head, Files.size(path));
    }

    /**
     * Checks the first bytes of a file ({@code head}, at most {@link #HEADER_BYTES}) of
     * {@code fileSize} bytes in all.
     */
    public static KernelImage parse(byte[] head, long fileSize) throws NotABzImageException {
        if (head.length < XLOADFLAGS + 2) {
            throw new NotABzImageException("too short for a Linux kernel (" + head.length + " bytes)");
        }
        if (u16(head, BOOT_FLAG) != 0xaa55) {
            throw new NotABzImageException("no boot sector signature 0xAA55 at 0x1FE");
        }
        if (u32(head, HEADER) != HDRS_MAGIC) {
            throw new NotABzImageException("no \"HdrS\" boot protocol header at 0x202 (a kernel older than protocol 2.00, or no kernel)");
        }
        int protocol = u16(head, VERSION);
        if (protocol < 0x0200) {
            throw new NotABzImageException("boot protocol " + protocolString(protocol) + " is older than 2.00");
        }
        if ((head[LOADFLAGS] & 0x01) == 0) {
            throw new NotABzImageException("a zImage (loaded low), not a bzImage");
        }
        // boot.rst: "If this field is 0, the real value is 4."
        int setupSects = head[SETUP_SECTS] & 0xff;
        if (setupSects == 0) {
            setupSects = 4;
        }
        long setupEnd = (setupSects + 1L) * 512;
        if (fileSize <= setupEnd) {
            throw new NotABzImageException("the file (" + fileSize + " bytes) ends inside the setup code ("
                    + setupEnd + " bytes): truncated");
        }
        // XLF_KERNEL_64 (protocol 2.12+): the kernel has the 64-bit entry point QEMU's loader uses.
        if (protocol >= 0x020c && (head[XLOADFLAGS] & 0x01) == 0) {
            throw new NotABzImageException("a 32-bit kernel (XLF_KERNEL_64 not set); vireo boots x86-64 kernels");
        }
        return new KernelImage(protocol, versionString(head, setupEnd), setupSects);
    }

    /** The release ({@code uname -r}): the version string's first word, or "" without one. */
    public String release() {
        int space = version.indexOf(' ');
        return space < 0 ? version : version.substring(0, space);
    }

    /** The protocol version as "2.15". */
    public String protocolString() {
        return protocolString(protocol);
    }

    private static String protocolString(int p) {
        return (p >> 8) + "." + String.format("%02d", p & 0xff);
    }

    private static String versionString(byte[] head, long setupEnd) {
        int pointer = u16(head, KERNEL_VERSION);
        if (pointer == 0) {
            return "";
        }
        // boot.rst: the string is at kernel_version + 0x200, inside the setup code.
        int start = pointer + 0x200;
        if (start >= setupEnd || start >= head.length) {
            return "";
        }
        int end = start;
        int limit = (int) Math.min(head.length, Math.min(setupEnd, start + (long) MAX_VERSION_STRING));
        while (end < limit && head[end] != 0) {
            end++;
        }
        StringBuilder s = new StringBuilder();
        for (char c : new String(head, start, end - start, StandardCharsets.ISO_8859_1).toCharArray()) {
            s.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return s.toString();
    }

    private static int u16(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8;
    }

    private static int u32(byte[] b, int off) {
        return u16(b, off) | u16(b, off + 2) << 16;
    }
}
