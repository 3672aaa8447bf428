package dev.vireo.virtio.queue;

/**
 * Where the driver put a virtqueue and how large it is: the values a transport collects (PCI
 * common configuration, MMIO registers, vhost-user SET_VRING_NUM / SET_VRING_ADDR) before the
 * queue is built. For a split queue the Descriptor/Driver/Device areas are the descriptor table,
 * the available ring and the used ring (§2.7); for a packed queue the descriptor ring and the
 * driver and device event suppression structures (§2.8). Nothing here is trusted: {@link
 * Virtqueues#create} validates it.
 */
public record QueueConfig(int size, long descriptorArea, long driverArea, long deviceArea) {

    @Override
    public String toString() {
        return "QueueConfig[size=" + size + ", desc=0x" + Long.toHexString(descriptorArea)
                + ", driver=0x" + Long.toHexString(driverArea) + ", device=0x" + Long.toHexString(deviceArea) + "]";
    }
}
