package dev.vireo.vmm.backend;

import dev.vireo.vmm.host.HostCommand;
import dev.vireo.vmm.qemu.VhostUserDevice;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * QEMU's C programs as vhost-user backends, kept to compare vireo's own against (vireo runs with
 * {@link InProcessBackends}): QEMU's C virtiofsd
 * ({@code /usr/lib/qemu/virtiofsd}, package qemu-system-common) for shares, qemu-storage-daemon
 * for disks, and no entropy device (the guest kernel seeds itself from RDRAND and jitter).
 *
 * <p>A read-only share is enforced on the host too: the C virtiofsd has no read-only mode, so it
 * runs in a private mount namespace ({@code unshare -m}) where its directory is bind-mounted
 * read-only onto itself; the mount vanishes with the daemon and never shows on the host.
 */
public final class StandInBackends implements BackendFactory {

    /** Where Debian's qemu-system-common puts the C virtiofsd. */
    public static final Path VIRTIOFSD = Path.of("/usr/lib/qemu/virtiofsd");

    @Override
    public DeviceServer share(Share share, String tag, Path socket) {
        List<String> cmd = new ArrayList<>();
        String dir = share.host().toString();
        if (share.readOnly()) {
            cmd.addAll(List.of("unshare", "--mount", "--propagation", "private", "--", "sh", "-c",
                    "mount --bind \"$0\" \"$0\" && mount -o remount,bind,ro \"$0\" && exec \"$@\"", dir));
        }
        // libfuse's option parser splits -o values at ',' unless escaped with '\\'.
        String source = dir.replace("\\", "\\\\").replace(",", "\\,");
        cmd.addAll(List.of(VIRTIOFSD.toString(), "--socket-path=" + socket, "-o", "source=" + source,
                "-o", "cache=auto", "-o", "log_level=warn"));
        return new ExternalBackend(VhostUserDevice.Kind.FS, socket, Map.of("tag", tag), cmd,
                "virtio-fs " + dir + " -> " + share.guest() + (share.readOnly() ? " (ro)" : "") + ", C virtiofsd (stand-in)");
    }

    @Override
    public DeviceServer disk(Disk disk, Path socket) {
        String file = disk.file().toString().replace(",", ",,");
        List<String> cmd = List.of("qemu-storage-daemon",
                "--blockdev", "driver=file,node-name=file0,filename=" + file + (disk.readOnly() ? ",read-only=on" : ""),
                "--blockdev", "driver=raw,node-name=disk0,file=file0" + (disk.readOnly() ? ",read-only=on" : ""),
                "--export", "type=vhost-user-blk,id=exp0,node-name=disk0,addr.type=unix,addr.path="
                        + socket.toString().replace(",", ",,") + ",writable=" + (disk.readOnly() ? "off" : "on"));
        return new ExternalBackend(VhostUserDevice.Kind.BLOCK, socket, Map.of(), cmd,
                "virtio-blk " + disk.file() + (disk.readOnly() ? " (ro)" : "") + ", qemu-storage-daemon (stand-in)");
    }

    @Override
    public Optional<DeviceServer> entropy(Path socket) {
        return Optional.empty();
    }

    @Override
    public Optional<String> missing(boolean shares, boolean disks) {
        if (shares && !java.nio.file.Files.isExecutable(VIRTIOFSD)) {
            return Optional.of("--share needs " + VIRTIOFSD + " (package qemu-system-common) until vireo's own virtio-fs backend lands");
        }
        if (disks && HostCommand.find("qemu-storage-daemon") == null) {
            return Optional.of("--disk needs qemu-storage-daemon (package qemu-system-common) until vireo's own virtio-blk backend lands");
        }
        return Optional.empty();
    }

    @Override
    public String describe() {
        return "stand-in backends: C virtiofsd (shares), qemu-storage-daemon (disks), no entropy device";
    }
}
