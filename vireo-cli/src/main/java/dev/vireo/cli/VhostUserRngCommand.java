package dev.vireo.cli;

import dev.vireo.virtio.devices.rng.RngDevice;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

import java.util.List;

/** {@code vireo vhost-user-rng}: vireo's entropy device (getrandom) as a vhost-user back-end. */
@Command(name = "vhost-user-rng",
        header = "Serve a vhost-user virtio entropy device.",
        mixinStandardHelpOptions = true,
        description = {
            "Serves a virtio entropy device, filled from the host's getrandom(2), to QEMU:",
            "  qemu-system-x86_64 ... -chardev socket,id=rng0,path=S -device vhost-user-rng-pci,chardev=rng0 \\",
            "      -object memory-backend-memfd,id=mem,size=1G,share=on -numa node,memdev=mem"})
public final class VhostUserRngCommand implements Runnable {

    @Mixin
    private VhostDaemonOptions daemon;

    @Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        if (daemon.printCapabilities) {
            VhostDaemonOptions.printCapabilities(spec.commandLine().getOut(), "rng", List.of());
            return;
        }
        daemon.serve(new RngDevice(), "vhost-user-rng", spec.commandLine().getErr());
    }
}
