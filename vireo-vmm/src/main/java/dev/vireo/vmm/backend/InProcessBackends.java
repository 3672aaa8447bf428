package dev.vireo.vmm.backend;

import dev.vireo.virtio.devices.block.BlockDevice;
import dev.vireo.virtio.devices.block.BlockOptions;
import dev.vireo.virtio.devices.rng.RngDevice;
import dev.vireo.vmm.qemu.VhostUserDevice;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * vireo's own devices as the run's backends, served in-process: virtio-blk per disk and the
 * entropy device. Shares still go to {@link StandInBackends}'s C virtiofsd until vireo's virtio-fs
 * device is wired to its FUSE file system.
 */
public final class InProcessBackends implements BackendFactory {

    private final StandInBackends standIn = new StandInBackends();

    @Override
    public DeviceServer share(Share share, String tag, Path socket) {
        return standIn.share(share, tag, socket);
    }

    @Override
    public DeviceServer disk(Disk disk, Path socket) {
        BlockDevice device = new BlockDevice(BlockOptions.of(disk.file()).readOnly(disk.readOnly()));
        return new InProcessServer(VhostUserDevice.Kind.BLOCK, socket, Map.of(), device, device,
                "virtio-blk " + disk.file() + (disk.readOnly() ? " (ro)" : "") + ", vireo");
    }

    @Override
    public Optional<DeviceServer> entropy(Path socket) {
        return Optional.of(new InProcessServer(VhostUserDevice.Kind.RNG, socket, Map.of(), new RngDevice(), null,
                "virtio-rng (getrandom), vireo"));
    }

    @Override
    public Optional<String> missing(boolean shares, boolean disks) {
        return standIn.missing(shares, false);
    }

    @Override
    public String describe() {
        return "vireo's devices in-process (virtio-blk, virtio-rng); shares: C virtiofsd (stand-in)";
    }
}
