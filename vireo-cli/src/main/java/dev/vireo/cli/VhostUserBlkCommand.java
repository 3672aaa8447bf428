package dev.vireo.cli;

import dev.vireo.virtio.devices.block.BlockDevice;
import dev.vireo.virtio.devices.block.BlockOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** {@code vireo vhost-user-blk}: vireo's virtio-blk device as a vhost-user back-end. */
@Command(name = "vhost-user-blk",
        header = "Serve a disk image as a vhost-user virtio-blk device.",
        mixinStandardHelpOptions = true,
        description = {
            "Serves a raw disk image as a virtio-blk device to QEMU (or another vhost-user front-end):",
            "  qemu-system-x86_64 ... -chardev socket,id=blk0,path=S -device vhost-user-blk-pci,chardev=blk0 \\",
            "      -object memory-backend-memfd,id=mem,size=1G,share=on -numa node,memdev=mem",
            "Reads and writes go straight between the image and guest memory (preadv/pwritev)."})
public final class VhostUserBlkCommand implements Runnable {

    @Mixin
    private VhostDaemonOptions daemon;

    @Option(names = {"--image", "--blk-file"}, paramLabel = "FILE", description = "The raw image to serve.")
    private Path image;

    @Option(names = {"--readonly", "--read-only"}, description = "Serve the image read-only (VIRTIO_BLK_F_RO).")
    private boolean readOnly;

    @Option(names = "--num-queues", paramLabel = "N", defaultValue = "1", description = "Request queues (VIRTIO_BLK_F_MQ when > 1). Default: ${DEFAULT-VALUE}.")
    private int queues;

    @Option(names = "--serial", paramLabel = "ID", description = "The serial the guest reads with GET_ID (at most 20 bytes).")
    private String serial;

    @Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        if (daemon.printCapabilities) {
            VhostDaemonOptions.printCapabilities(spec.commandLine().getOut(), "block", List.of("read-only", "blk-file"));
            return;
        }
        daemon.requireEndpoint();
        if (image == null) {
            throw new IllegalArgumentException("give the image to serve with --image FILE");
        }
        if (!Files.isRegularFile(image) && !Files.exists(image)) {
            throw new IllegalArgumentException("no such image: " + image);
        }
        if (!Files.isReadable(image) || !readOnly && !Files.isWritable(image)) {
            throw new IllegalArgumentException("cannot " + (readOnly ? "read" : "read and write") + " " + image);
        }
        BlockOptions options = BlockOptions.of(image).readOnly(readOnly).queues(queues);
        if (serial != null) {
            options = options.serial(serial);
        }
        try (BlockDevice device = new BlockDevice(options)) {
            daemon.serve(device, "vhost-user-blk (" + image + (readOnly ? ", read-only" : "") + ")", spec.commandLine().getErr());
        }
    }
}
