package dev.vireo.vmm.guest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code .modinfo} section of a kernel module (an ELF64 relocatable object): the
 * NUL-separated {@code key=value} strings that {@code modinfo} shows and {@code depmod} reads
 * ({@code depends=}, {@code alias=}, {@code name=}). Debian's kernel packages ship no
 * {@code modules.dep} (depmod runs when the package is installed, which vireo never does), so the
 * dependencies of the modules a guest needs are read from here.
 *
 * <p>Every offset and size in the file is checked against its length (ELF: System V ABI, "Section
 * Header"), so a damaged or hostile file gives an exception, never an out-of-bounds read.
 */
public record ElfModInfo(List<String> entries) {

    /** Why a file is not a module whose .modinfo can be read. */
    public static final class BadModuleException extends Exception {
        public BadModuleException(String message) {
            super(message);
        }
    }

    private static final int EHDR_SIZE = 64;
    private static final int SHDR_SIZE = 64;
    private static final int MAX_SECTIONS = 1 << 16;

    /** Reads the .modinfo strings of an ELF64 little-endian object. */
    public static ElfModInfo parse(byte[] elf) throws BadModuleException {
        if (elf.length < EHDR_SIZE || elf[0] != 0x7f || elf[1] != 'E' || elf[2] != 'L' || elf[3] != 'F') {
            throw new BadModuleException("not an ELF file");
        }
        if (elf[4] != 2 || elf[5] != 1) {
            throw new BadModuleException("not a 64-bit little-endian ELF object");
        }
        long shoff = u64(elf, 0x28);
        int shentsize = u16(elf, 0x3a);
        int shnum = u16(elf, 0x3c);
        int shstrndx = u16(elf, 0x3e);
        if (shentsize != SHDR_SIZE || shnum == 0 || shnum > MAX_SECTIONS || shstrndx >= shnum) {
            throw new BadModuleException("bad section header table (entsize " + shentsize + ", " + shnum
                    + " sections, names in " + shstrndx + ")");
        }
        // shnum <= 65536 and SHDR_SIZE = 64, so the table size cannot overflow a long.
        if (shoff < 0 || shoff > elf.length || elf.length - shoff < (long) shnum * SHDR_SIZE) {
            throw new BadModuleException("section header table outside the file");
        }
        long[] names = section(elf, shoff, shstrndx);
        for (int i = 0; i < shnum; i++) {
            long header = shoff + (long) i * SHDR_SIZE;
            long nameOffset = u32(elf, (int) header) & 0xffffffffL;
            if (".modinfo".equals(cString(elf, names[0], names[1], nameOffset))) {
                long[] info = section(elf, shoff, i);
                return new ElfModInfo(strings(elf, (int) info[0], (int) info[1]));
            }
        }
        throw new BadModuleException("no .modinfo section");
    }

    /** The values of {@code key} ({@code alias} may repeat). */
    public List<String> values(String key) {
        String prefix = key + "=";
        List<String> out = new ArrayList<>();
        for (String e : entries) {
            if (e.startsWith(prefix)) {
                out.add(e.substring(prefix.length()));
            }
        }
        return out;
    }

    /** The modules this one needs ({@code depends=}, comma-separated), by name. */
    public List<String> depends() {
        List<String> out = new ArrayList<>();
        for (String v : values("depends")) {
            for (String d : v.split(",")) {
                if (!d.isBlank()) {
                    out.add(KernelModules.canonical(d.strip()));
                }
            }
        }
        return out;
    }

    /** {offset, size} of section {@code index}, checked to lie inside the file. */
    private static long[] section(byte[] elf, long shoff, int index) throws BadModuleException {
        int header = (int) (shoff + (long) index * SHDR_SIZE);
        long offset = u64(elf, header + 0x18);
        long size = u64(elf, header + 0x20);
        if (offset < 0 || size < 0 || offset > elf.length || size > elf.length - offset) {
            throw new BadModuleException("section " + index + " (offset " + offset + ", size " + size
                    + ") outside the file of " + elf.length + " bytes");
        }
        return new long[] {offset, size};
    }

    private static String cString(byte[] b, long start, long size, long at) {
        if (at < 0 || at >= size) {
            return null;
        }
        int from = (int) (start + at);
        int end = from;
        int limit = (int) (start + size);
        while (end < limit && b[end] != 0) {
            end++;
        }
        return new String(b, from, end - from, StandardCharsets.ISO_8859_1);
    }

    private static List<String> strings(byte[] b, int start, int size) {
        List<String> out = new ArrayList<>();
        int i = start;
        int end = start + size;
        while (i < end) {
            int j = i;
            while (j < end && b[j] != 0) {
                j++;
            }
            if (j > i) {
                out.add(new String(b, i, j - i, StandardCharsets.UTF_8));
            }
            i = j + 1;
        }
        return List.copyOf(out);
    }

    private static int u16(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8;
    }

    private static int u32(byte[] b, int off) {
        return u16(b, off) | u16(b, off + 2) << 16;
    }

    private static long u64(byte[] b, int off) {
        return (u32(b, off) & 0xffffffffL) | (long) u32(b, off + 4) << 32;
    }
}
