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
                        + " with " + kernel.modules().dir());
            }
            Path busybox = o.busybox() != null ? Busybox.checked(o.busybox())
                    : DebianPackages.available() ? Busybox.debian(debian) : Busybox.host();

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
            return new GuestImage(kernel, machine, initramfs, load.stream().map(KernelModules.Module::name).toList());
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
}
