package dev.vireo.vmm.guest;

import dev.vireo.vmm.host.HostCommand;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The kernel a guest boots and its modules: Debian's cloud kernel fetched into the cache (the
 * default), a kernel the user gives, or, on a host without apt, the host's own.
 *
 * @param image   the bzImage
 * @param header  its checked boot header
 * @param modulesDir its module directory, or null when the kernel comes without one (then the
 *                drivers the run needs must be built in)
 * @param origin  where it came from, for messages ("Debian linux-image-6.1.0-56-cloud-amd64 6.1.192-2")
 */
public record GuestKernel(Path image, KernelImage header, Path modulesDir, String origin) {

    /** The Debian metapackage whose kernel vireo boots by default. */
    public static final String DEBIAN_PACKAGE = "linux-image-cloud-amd64";

    /** Debian's cloud kernel, fetched and unpacked into the cache on first use. */
    public static GuestKernel debianCloud(DebianPackages packages)
            throws IOException, DebianPackages.FetchException, KernelImage.NotABzImageException {
        DebianPackages.Unpacked u = packages.throughMetapackage(DEBIAN_PACKAGE);
        Path image;
        try (Stream<Path> s = Files.list(u.root().resolve("boot"))) {
            image = s.filter(p -> p.getFileName().toString().startsWith("vmlinuz-")).findFirst()
                    .orElseThrow(() -> new IOException("package " + u.name() + " has no boot/vmlinuz-*"));
        }
        String release = image.getFileName().toString().substring("vmlinuz-".length());
        return of(image, u.root().resolve("lib/modules").resolve(release), "Debian " + u.name() + " " + u.version());
    }

    /** The host's own kernel, {@code /boot/vmlinuz-$(uname -r)} with {@code /lib/modules/$(uname -r)}. */
    public static GuestKernel host() throws IOException, KernelImage.NotABzImageException {
        String release = HostCommand.kernelRelease();
        Path image = Path.of("/boot/vmlinuz-" + release);
        if (!Files.isReadable(image)) {
            throw new IOException("this host has no apt to fetch a guest kernel, and its own kernel " + image
                    + " is not readable; pass --kernel FILE");
        }
        return of(image, Path.of("/lib/modules", release), "the host's kernel " + release);
    }

    /** A kernel the user gave, with its module directory (or null). */
    public static GuestKernel given(Path image, Path modules) throws IOException, KernelImage.NotABzImageException {
        return of(image, modules, image.toString());
    }

    private static GuestKernel of(Path image, Path modules, String origin) throws IOException, KernelImage.NotABzImageException {
        KernelImage header = KernelImage.read(image);
        return new GuestKernel(image, header, modules != null && Files.isDirectory(modules) ? modules : null, origin);
    }

    /** Indexes the module directory (walks it: call once), or null without one. */
    public KernelModules modules() throws IOException, ModulesDep.BadModulesDepException {
        return modulesDir == null ? null : KernelModules.open(modulesDir);
    }
}
