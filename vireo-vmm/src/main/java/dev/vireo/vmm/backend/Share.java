package dev.vireo.vmm.backend;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A host directory shared with the guest over virtio-fs: {@code --share HOST[:GUEST[:ro]]}.
 *
 * @param host     the host directory (absolute, normalized)
 * @param guest    the mount point in the guest (absolute)
 * @param readOnly whether the guest may only read
 */
public record Share(Path host, String guest, boolean readOnly) {

    /** A --share value that cannot be used. */
    public static final class BadShareException extends Exception {
        public BadShareException(String message) {
            super(message);
        }
    }

    public Share {
        if (!guest.startsWith("/") || guest.contains("\0") || guest.contains("\n")) {
            throw new IllegalArgumentException("the guest mount point must be an absolute path: " + guest);
        }
    }

    /**
     * Parses {@code HOST[:GUEST[:ro|rw]]}; {@code defaultGuest} is the mount point when none is
     * given. HOST must be an existing directory.
     */
    public static Share parse(String spec, String defaultGuest) throws BadShareException {
        String[] parts = spec.split(":", -1);
        if (parts.length > 3 || parts[0].isEmpty()) {
            throw new BadShareException("--share " + spec + ": expected HOST[:GUEST[:ro]]");
        }
        boolean ro = false;
        if (parts.length == 3) {
            switch (parts[2]) {
                case "ro" -> ro = true;
                case "rw" -> ro = false;
                default -> throw new BadShareException("--share " + spec + ": the third part must be ro or rw, not " + parts[2]);
            }
        }
        String guest = parts.length >= 2 && !parts[1].isEmpty() ? parts[1] : defaultGuest;
        if (!guest.startsWith("/")) {
            throw new BadShareException("--share " + spec + ": the guest path must be absolute: " + guest);
        }
        Path host = Path.of(parts[0]).toAbsolutePath().normalize();
        if (!Files.isDirectory(host)) {
            throw new BadShareException("--share " + spec + ": " + host + (Files.exists(host) ? " is not a directory" : " does not exist"));
        }
        return new Share(host, normalizeGuest(guest), ro);
    }

    private static String normalizeGuest(String guest) {
        String g = Path.of(guest).normalize().toString();
        return g.isEmpty() ? "/" : g;
    }
}
