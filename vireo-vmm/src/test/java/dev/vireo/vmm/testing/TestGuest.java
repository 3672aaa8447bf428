package dev.vireo.vmm.testing;

import dev.vireo.sys.testing.Requires;
import dev.vireo.vmm.guest.Busybox;
import dev.vireo.vmm.guest.DebianPackages;
import dev.vireo.vmm.guest.GuestKernel;
import dev.vireo.vmm.guest.VireoCache;

import java.nio.file.Path;

/**
 * The real guest pieces the tests use: Debian's cloud kernel and busybox-static, fetched with apt
 * into vireo's cache once (the first test that asks pays for it; later ones and later runs reuse it).
 */
public final class TestGuest {

    private static GuestKernel kernel;
    private static Path busybox;

    private TestGuest() {
    }

    /** The packages fetcher the tests share (messages to stderr). */
    public static DebianPackages packages() {
        Requires.command("apt-get");
        Requires.command("dpkg-deb");
        return new DebianPackages(VireoCache.root().resolve("debian"), System.err::println, false);
    }

    /** Debian's cloud kernel, unpacked. */
    public static synchronized GuestKernel kernel() throws Exception {
        if (kernel == null) {
            kernel = GuestKernel.debianCloud(packages());
        }
        return kernel;
    }

    /** Debian's static busybox. */
    public static synchronized Path busybox() throws Exception {
        if (busybox == null) {
            busybox = Busybox.debian(packages());
        }
        return busybox;
    }
}
