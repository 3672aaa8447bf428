package dev.vireo.vmm.run;

import dev.vireo.vmm.guest.Busybox;
import dev.vireo.vmm.guest.DebianPackages;
import dev.vireo.vmm.guest.GuestKernel;
import dev.vireo.vmm.guest.Initramfs;
import dev.vireo.vmm.guest.KernelImage;
import dev.vireo.vmm.guest.KernelModules;
import dev.vireo.vmm.guest.ModulesDep;
import dev.vireo.vmm.guest.VireoCache;
import dev.vireo.vmm.qemu.Machine;
import dev.vireo.vmm.qemu.VhostUserDevice;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Properties;
import java.util.TreeSet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The kernel, machine type and base initramfs of a run, from the cache when they are there:
 * Debian's cloud kernel (or the one given, or the host's without apt), microvm when the kernel's
 * virtio-mmio driver finds devices through ACPI (else q35), and an initramfs with the modules of
 * the devices the run uses.
 *
 * <p>Working this out walks the kernel's module tree and hashes busybox and the modules (a few
 * hundred milliseconds), so the outcome is remembered in {@code guests/KEY.properties}, where KEY
 * hashes the inputs' paths, sizes and modification times, the device kinds, the machine asked for
 * and the init script: a warm start reads one small file. The initramfs itself stays
 * content-addressed ({@link Initramfs#base}).
 *
 * @param kernel    the kernel
 * @param machine   the machine type
 * @param initramfs the cached base initramfs
 * @param modules   the modules it loads, in order
 */
public record GuestImage(GuestKernel kernel, Machine machine, Path initramfs, List<String> modules) {

    /** Prepares the guest for {@code o}, whose devices are of {@code kinds}; progress lines go to {@code progress}. */
    public static GuestImage prepare(RunOptions o, Set<VhostUserDevice.Kind> kinds, Consumer<String> progress)
            throws RunException {
        Path cache = VireoCache.root();
        DebianPackages debian = new DebianPackages(cache.resolve("debian"), progress, o.refresh());
        try {
            GuestKernel kernel;
            if (o.kernel() != null) {
                kernel = GuestKernel.given(o.kernel(), o.modules());
            } else if (DebianPackages.available()) {
                kernel = GuestKernel.debianCloud(debian);
            } else {
                kernel = GuestKernel.host();
                progress.accept("vireo: no apt on this host; booting the host's own kernel " + kernel.image()
                        + " with " + kernel.modulesDir());
            }
            Path busybox = o.busybox() != null ? Busybox.checked(o.busybox())
                    : DebianPackages.available() ? Busybox.debian(debian) : Busybox.host();
            Path index = cache.resolve("guests").resolve(indexKey(kernel, busybox, o.machine(), kinds) + ".properties");
            GuestImage known = remembered(index, kernel);
            if (known != null) {
                return known;
            }

            KernelModules mods = kernel.modules();
            Machine machine = o.machine() != null ? o.machine()
                    : mods != null && mods.virtioMmioOverAcpi() ? Machine.MICROVM : Machine.Q35;
            List<String> wanted = new ArrayList<>();
            if (!kinds.isEmpty()) {
                wanted.add(machine.transportModule());
                for (VhostUserDevice.Kind k : VhostUserDevice.Kind.values()) {
                    if (kinds.contains(k)) {
                        wanted.add(k.guestModule());
                    }
                }
            }
            List<KernelModules.Module> load = mods == null ? List.of() : mods.resolve(wanted);
            Path initramfs = Initramfs.base(cache.resolve("initramfs"), busybox, load);
            GuestImage image = new GuestImage(kernel, machine, initramfs, load.stream().map(KernelModules.Module::name).toList());
            remember(index, image);
            return image;
        } catch (KernelImage.NotABzImageException e) {
            throw new RunException(RunException.Kind.BAD_KERNEL, "the kernel is not a bzImage: " + e.getMessage());
        } catch (DebianPackages.FetchException e) {
            throw new RunException(RunException.Kind.BAD_KERNEL, "cannot fetch the guest: " + e.getMessage());
        } catch (KernelModules.MissingModuleException | ModulesDep.BadModulesDepException e) {
            throw new RunException(RunException.Kind.BAD_KERNEL, e.getMessage());
        } catch (IOException e) {
            throw new RunException(RunException.Kind.BAD_KERNEL, "cannot prepare the guest: " + e.getMessage(), e);
        }
    }

    private static String indexKey(GuestKernel kernel, Path busybox, Machine machine, Set<VhostUserDevice.Kind> kinds)
            throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        StringBuilder s = new StringBuilder("vireo-guest-index-1\n");
        s.append(stamp(kernel.image())).append('\n');
        s.append(kernel.modulesDir() == null ? "-" : stamp(kernel.modulesDir())).append('\n');
        s.append(stamp(busybox)).append('\n');
        s.append(machine).append('\n').append(new TreeSet<>(kinds)).append('\n');
        sha.update(s.toString().getBytes(StandardCharsets.UTF_8));
        sha.update(Initramfs.initScript());
        return HexFormat.of().formatHex(sha.digest());
    }

    private static String stamp(Path p) throws IOException {
        Path real = p.toRealPath();
        return real + " " + Files.size(real) + " " + Files.getLastModifiedTime(real).toMillis();
    }

    private static GuestImage remembered(Path index, GuestKernel kernel) {
        if (!Files.isRegularFile(index)) {
            return null;
        }
        try (var in = Files.newInputStream(index)) {
            Properties p = new Properties();
            p.load(in);
            Path initramfs = Path.of(p.getProperty("initramfs", ""));
            String modules = p.getProperty("modules", "");
            if (!Files.isRegularFile(initramfs)) {
                return null;
            }
            return new GuestImage(kernel, Machine.parse(p.getProperty("machine", "")), initramfs,
                    modules.isEmpty() ? List.of() : List.of(modules.split(" ")));
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    private static void remember(Path index, GuestImage image) throws IOException {
        Properties p = new Properties();
        p.setProperty("initramfs", image.initramfs().toString());
        p.setProperty("machine", image.machine().qemuName());
        p.setProperty("modules", String.join(" ", image.modules()));
        Files.createDirectories(index.getParent());
        Path tmp = Files.createTempFile(index.getParent(), "index", ".tmp");
        try (var out = Files.newOutputStream(tmp)) {
            p.store(out, "vireo run: the guest image for one configuration");
        }
        Files.move(tmp, index, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
