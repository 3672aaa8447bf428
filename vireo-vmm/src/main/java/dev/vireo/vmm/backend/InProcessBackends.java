package dev.vireo.vmm.backend;

import dev.vireo.fuse.passthrough.PassthroughOptions;
import dev.vireo.fuse.session.SessionConfig;
import dev.vireo.sys.EventCalls;
import dev.vireo.sys.FdCalls;
import dev.vireo.sys.FsCalls;
import dev.vireo.sys.Log;
import dev.vireo.sys.MemCalls;
import dev.vireo.sys.Native;
import dev.vireo.sys.RandomCalls;
import dev.vireo.sys.RawSyscall;
import dev.vireo.sys.SocketCalls;
import dev.vireo.virtio.devices.block.BlockDevice;
import dev.vireo.virtio.devices.block.BlockOptions;
import dev.vireo.virtio.devices.fs.FsDevice;
import dev.vireo.virtio.devices.fs.VirtioFsServer;
import dev.vireo.virtio.devices.rng.RngDevice;
import dev.vireo.vmm.qemu.VhostUserDevice;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * vireo's own devices as the run's backends, served in-process: virtio-fs per share (vireo's
 * passthrough file system behind its virtio-fs device), virtio-blk per disk and the entropy device.
 */
public final class InProcessBackends implements BackendFactory {

    private static final Log LOG = Log.of("run");

    /** Threads serving one share's requests: the guest has few CPUs, the host two cores here. */
    static final int SHARE_THREADS = 4;

    @Override
    public DeviceServer share(Share share, String tag, Path socket) {
        // Requests come from the guest: its pids mean nothing here, so supplementary groups come
        // from the FUSE_EXT_GROUPS extension only. A read-only share refuses changes on the host
        // side too (EROFS), whatever the guest's mount says.
        PassthroughOptions po = PassthroughOptions.defaults().withReadOnly(share.readOnly())
                .withGroups(PassthroughOptions.Groups.EXTENSION);
        Path dir = share.host();
        // The first session's file system is made while QEMU starts (see ShareFileSystems).
        ShareFileSystems fileSystems = new ShareFileSystems(dir, po, tag);
        VirtioFsServer server = new VirtioFsServer(fileSystems, SessionConfig.defaults(), SHARE_THREADS, tag);
        FsDevice device = new FsDevice(new FsDevice.Options(tag, 1, 1024), server);
        // QEMU's default ring of 128 would cap READ and WRITE at 496 KiB (see VirtioFsServer); 1024
        // (QEMU's largest, libvirt's default for virtiofs) lets the guest move 1 MiB per request.
        AutoCloseable cleanup = () -> {
            try (fileSystems) {
                server.close();
            }
        };
        return new InProcessServer(VhostUserDevice.Kind.FS, socket, Map.of("tag", tag, "queue-size", "1024"), device, cleanup,
                "virtio-fs " + dir + " -> " + share.guest() + (share.readOnly() ? " (ro)" : "") + ", vireo");
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

    /**
     * Links, on a thread of its own, the C functions the devices call first once QEMU talks to
     * them: reading its vhost-user messages, mapping guest memory, the I/O loop's io_uring and
     * eventfds, the entropy source, the file system's first requests. Linked on first call instead,
     * each would cost 10-30 ms of this young JVM while QEMU, and so the guest, waits for the reply
     * (docs/run.md, "Where vireo's start-up goes"). QEMU's own start-up leaves a core free for it.
     */
    @Override
    public void qemuStarted() {
        Thread.ofPlatform().daemon().name("vireo-link-ahead").start(() -> {
            try {
                linkDeviceCalls();
            } catch (RuntimeException | LinkageError e) {
                LOG.warn("linking ahead failed (the calls link when first made): %s", e);
            }
        });
    }

    /** The functions {@link #qemuStarted} links, in the order the devices first need them. */
    static void linkDeviceCalls() {
        Native.linkAhead(SocketCalls.class, "RecvmsgCall", "SendmsgCall");
        Native.linkAhead(FdCalls.class, "ReadCall", "WriteCall");
        Native.linkAhead(FsCalls.class, "ReadlinkatCall", "FstatatCall");
        Native.linkAhead(MemCalls.class, "MmapCall", "MunmapCall");
        Native.linkAhead(RawSyscall.class);
        Native.linkAhead(EventCalls.class, "EventfdCall");
        Native.linkAhead(RandomCalls.class);
        Native.linkAhead(FdCalls.class, "SyncfsCall");
    }

    @Override
    public String describe() {
        return "vireo's devices in-process (virtio-fs, virtio-blk, virtio-rng)";
    }
}
