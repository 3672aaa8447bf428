package dev.vireo.vmm.guest;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where vireo keeps what it fetched and built: {@code $VIREO_CACHE}, else
 * {@code $XDG_CACHE_HOME/vireo}, else {@code ~/.cache/vireo}. Below it: {@code debian/} (extracted
 * packages), {@code initramfs/} (content-addressed archives).
 */
public final class VireoCache {

    private VireoCache() {
    }

    /** The cache directory for this environment. */
    public static Path root(Map<String, String> env) {
        String explicit = env.get("VIREO_CACHE");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String xdg = env.get("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "vireo");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "vireo");
    }

    /** The cache directory of this process's environment. */
    public static Path root() {
        return root(System.getenv());
    }
}
