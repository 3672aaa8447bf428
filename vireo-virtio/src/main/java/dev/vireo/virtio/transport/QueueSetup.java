package dev.vireo.virtio.transport;

import dev.vireo.virtio.queue.QueueConfig;

/**
 * What the driver has written about one queue through a transport's registers before DRIVER_OK
 * (virtio 1.2 §4.1.4.3 queue_size/queue_desc/queue_driver/queue_device/queue_enable, §4.2.2 the
 * MMIO equivalents). Nothing is checked here; {@link DeviceControl} builds and validates the
 * queue at DRIVER_OK.
 */
public final class QueueSetup {

    private final int maxSize;
    private int size;
    private long descriptorArea;
    private long driverArea;
    private long deviceArea;
    private boolean ready;

    QueueSetup(int maxSize) {
        this.maxSize = maxSize;
        reset();
    }

    /** Back to the values after reset: the maximum size, zero addresses, not ready. */
    void reset() {
        size = maxSize;
        descriptorArea = 0;
        driverArea = 0;
        deviceArea = 0;
        ready = false;
    }

    /** The largest size the device allows (queue_size reads this after reset, §4.1.4.3). */
    public int maxSize() {
        return maxSize;
    }

    public int size() {
        return size;
    }

    public void size(int size) {
        this.size = size;
    }

    public long descriptorArea() {
        return descriptorArea;
    }

    public void descriptorArea(long address) {
        this.descriptorArea = address;
    }

    public long driverArea() {
        return driverArea;
    }

    public void driverArea(long address) {
        this.driverArea = address;
    }

    public long deviceArea() {
        return deviceArea;
    }

    public void deviceArea(long address) {
        this.deviceArea = address;
    }

    /** Whether the driver enabled the queue (queue_enable / QueueReady). */
    public boolean ready() {
        return ready;
    }

    public void ready(boolean ready) {
        this.ready = ready;
    }

    /** The configuration as written. */
    public QueueConfig config() {
        return new QueueConfig(size, descriptorArea, driverArea, deviceArea);
    }
}
