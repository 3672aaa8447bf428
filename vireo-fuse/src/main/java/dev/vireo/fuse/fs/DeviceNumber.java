package dev.vireo.fuse.fs;

/**
 * Device numbers in their two encodings: the host's {@code dev_t} (glibc's {@code makedev}: 12-bit
 * major and 20-bit minor split across 64 bits) and the 32-bit form FUSE carries in
 * {@code fuse_attr.rdev} and {@code fuse_mknod_in.rdev} (the kernel's {@code new_encode_dev}).
 */
public final class DeviceNumber {

    private DeviceNumber() {
    }

    /** glibc's {@code makedev(major, minor)}. */
    public static long make(int major, int minor) {
        long ma = Integer.toUnsignedLong(major);
        long mi = Integer.toUnsignedLong(minor);
        return ((ma & 0x0000_0fffL) << 8) | ((ma & 0xffff_f000L) << 32)
                | (mi & 0x0000_00ffL) | ((mi & 0xffff_ff00L) << 12);
    }

    /** glibc's {@code major(dev)}. */
    public static int major(long dev) {
        return (int) (((dev >>> 8) & 0x0000_0fffL) | ((dev >>> 32) & 0xffff_f000L));
    }

    /** glibc's {@code minor(dev)}. */
    public static int minor(long dev) {
        return (int) ((dev & 0x0000_00ffL) | ((dev >>> 12) & 0xffff_ff00L));
    }

    /** The kernel's {@code new_encode_dev}: FUSE's 32-bit form (major and minor of at most 12 and 20 bits). */
    public static int toWire(long dev) {
        int major = major(dev);
        int minor = minor(dev);
        return (minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xff) << 12);
    }

    /** The kernel's {@code new_decode_dev}, as a host dev_t. */
    public static long fromWire(int wire) {
        int major = (wire & 0xfff00) >>> 8;
        int minor = (wire & 0xff) | ((wire >>> 12) & 0xfff00);
        return make(major, minor);
    }
}
