package dev.vireo.vmm.backend;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A host file the guest sees as a virtio block device ({@code /dev/vda}, {@code /dev/vdb} ... in
 * order): {@code --disk FILE[,ro]}. Raw images only.
 *
 * @param file     the image
 * @param readOnly whether the guest may only read
 */
public record Disk(Path file, boolean readOnly) {

    /** A --disk value that cannot be used. */
    public static final class BadDiskException extends Exception {
        public BadDiskException(String message) {
            super(message);
        }
    }

    /** Parses {@code FILE[,ro|,rw]}; the file must be readable (and writable unless ro). */
    public static Disk parse(String spec) throws BadDiskException {
        String path = spec;
        boolean ro = false;
        int comma = spec.lastIndexOf(',');
        if (comma > 0) {
            String flag = spec.substring(comma + 1);
            if (flag.equals("ro") || flag.equals("rw")) {
                ro = flag.equals("ro");
                path = spec.substring(0, comma);
            }
        }
        Path file = Path.of(path).toAbsolutePath().normalize();
        if (!Files.isRegularFile(file) && !isBlockDevice(file)) {
            throw new BadDiskException("--disk " + spec + ": " + file + (Files.exists(file) ? " is not a file" : " does not exist"));
        }
        if (!Files.isReadable(file)) {
            throw new BadDiskException("--disk " + spec + ": " + file + " is not readable");
        }
        if (!ro && !Files.isWritable(file)) {
            throw new BadDiskException("--disk " + spec + ": " + file + " is not writable (add ,ro to share it read-only)");
        }
        return new Disk(file, ro);
    }

    private static boolean isBlockDevice(Path file) {
        try {
            return ((Integer) Files.getAttribute(file, "unix:mode") & 0170000) == 0060000; // S_IFBLK
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }
}
