package dev.vireo.virtio.transport;

import dev.vireo.sys.abi.virtio.Virtio;
import dev.vireo.virtio.device.Features;
import dev.vireo.virtio.devices.rng.RngDevice;
import dev.vireo.virtio.driver.DriverQueue.Buffer;
import dev.vireo.virtio.testing.MockDriver;
import dev.vireo.virtio.testing.MockDriver.Options;
import org.junit.jupiter.api.Test;

import static dev.vireo.virtio.transport.DeviceControl.ACKNOWLEDGE;
import static dev.vireo.virtio.transport.DeviceControl.DRIVER;
import static dev.vireo.virtio.transport.DeviceControl.DRIVER_OK;
import static dev.vireo.virtio.transport.DeviceControl.FAILED;
import static dev.vireo.virtio.transport.DeviceControl.FEATURES_OK;
import static dev.vireo.virtio.transport.DeviceControl.NEEDS_RESET;
import static org.assertj.core.api.Assertions.assertThat;

/** Device status and feature negotiation (virtio 1.2 §2.1, §2.2, §3.1). */
class DeviceControlTest {

    @Test
    void theInitialisationSequenceActivatesTheDevice() {
        try (MockDriver d = MockDriver.start(new RngDevice(), Options.defaults().eventIdx(true))) {
            assertThat(d.status()).isEqualTo(ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK);
            assertThat(d.control().driverFeatures()).isEqualTo(Features.bit(Virtio.VIRTIO_F_VERSION_1)
                    | Features.bit(Virtio.VIRTIO_RING_F_EVENT_IDX));
            assertThat(d.control().describe()).contains("RING_EVENT_IDX VERSION_1").contains("[ACKNOWLEDGE DRIVER DRIVER_OK FEATURES_OK]");
            assertThat(d.control().queues()).hasSize(1);
        }
    }

    @Test
    void unofferedFeaturesAreRefusedAtFeaturesOk() {
        try (MockDriver d = MockDriver.create(new RngDevice(), Options.defaults())) {
            DeviceControl c = d.control();
            c.writeStatus(ACKNOWLEDGE);
            c.writeStatus(ACKNOWLEDGE | DRIVER);
            c.writeDriverFeatures(Features.bit(Virtio.VIRTIO_F_VERSION_1) | Features.bit(3));
            c.writeStatus(ACKNOWLEDGE | DRIVER | FEATURES_OK);
            assertThat(c.status() & FEATURES_OK).as("§3.1.1 step 6: the driver re-reads and sees no FEATURES_OK").isZero();
            assertThat(c.problem()).contains("not offered").contains("bit 3");
            // DRIVER_OK without FEATURES_OK does nothing.
            c.writeStatus(ACKNOWLEDGE | DRIVER | DRIVER_OK);
            assertThat(c.status() & DRIVER_OK).isZero();
        }
    }

    @Test
    void version1IsRequired() {
        try (MockDriver d = MockDriver.create(new RngDevice(), Options.defaults())) {
            DeviceControl c = d.control();
            c.writeStatus(ACKNOWLEDGE | DRIVER);
            c.writeDriverFeatures(0, 1 << Virtio.VIRTIO_RING_F_INDIRECT_DESC);
            c.writeStatus(ACKNOWLEDGE | DRIVER | FEATURES_OK);
            assertThat(c.status() & FEATURES_OK).isZero();
            assertThat(c.problem()).contains("VERSION_1");
        }
    }

    @Test
    void featuresAreFrozenByFeaturesOk() {
        try (MockDriver d = MockDriver.start(new RngDevice(), Options.defaults())) {
            long before = d.control().driverFeatures();
            d.control().writeDriverFeatures(0, -1);
            d.control().writeDriverFeatures(1, -1);
            assertThat(d.control().driverFeatures()).isEqualTo(before);
        }
    }

    @Test
    void featureWindowsAre32Bits() {
        try (MockDriver d = MockDriver.create(new RngDevice(), Options.defaults())) {
            DeviceControl c = d.control();
            long offered = c.offeredFeatures();
            assertThat(Integer.toUnsignedLong(c.offeredFeatures(0)) | Integer.toUnsignedLong(c.offeredFeatures(1)) << 32)
                    .isEqualTo(offered);
            assertThat(c.offeredFeatures(2)).isZero();
            c.writeStatus(ACKNOWLEDGE | DRIVER);
            c.writeDriverFeatures(1, 1); // bit 32, VERSION_1
            c.writeDriverFeatures(0, 1 << 28);
            assertThat(c.driverFeatures()).isEqualTo(Features.bit(32) | Features.bit(28));
        }
    }

    @Test
    void statusBitsCannotBeClearedExceptByReset() {
        try (MockDriver d = MockDriver.start(new RngDevice(), Options.defaults())) {
            d.control().writeStatus(ACKNOWLEDGE);
            assertThat(d.status()).isEqualTo(ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK);
            d.control().writeStatus(d.status() | FAILED);
            assertThat(d.status() & FAILED).isNotZero();
            d.control().writeStatus(0);
            assertThat(d.status()).isZero();
            assertThat(d.control().driverFeatures()).isZero();
            assertThat(d.control().queue(0).ready()).isFalse();
        }
    }

    @Test
    void aQueueOfInvalidSizeSetsNeedsResetAtDriverOk() {
        try (MockDriver d = MockDriver.create(new RngDevice(), Options.defaults())) {
            assertThat(d.negotiate()).isTrue();
            d.setUpQueues();
            d.control().queue(0).size(12); // split queues are powers of two (§2.7)
            d.driverOk();
            assertThat(d.status() & NEEDS_RESET).isNotZero();
            assertThat(d.control().problem()).contains("power of two");
            assertThat(d.interrupt().configCount()).as("§2.1.2: a configuration change notification").isEqualTo(1);
            // Nothing is processed; after a reset the device can be brought up again.
            d.kick(0);
            assertThat(d.negotiate()).isTrue();
            d.control().queue(0).size(8);
            d.control().queue(0).descriptorArea(d.queue(0).config().descriptorArea());
            d.control().queue(0).driverArea(d.queue(0).config().driverArea());
            d.control().queue(0).deviceArea(d.queue(0).config().deviceArea());
            d.control().queue(0).ready(true);
            d.driverOk();
            assertThat(d.status() & NEEDS_RESET).isZero();
        }
    }

    @Test
    void aQueueLargerThanTheMaximumIsRefused() {
        try (MockDriver d = MockDriver.create(new RngDevice(), Options.defaults())) {
            d.negotiate();
            d.setUpQueues();
            d.control().queue(0).size(RngDevice.QUEUE_SIZE * 2);
            d.driverOk();
            assertThat(d.needsReset()).isTrue();
        }
    }

    @Test
    void aDeviceWithoutItsQueueIsNotActivated() {
        try (MockDriver d = MockDriver.start(new RngDevice(), Options.defaults().queues(0))) {
            assertThat(d.needsReset()).isTrue();
            assertThat(d.control().problem()).contains("needs its request queue");
        }
    }

    @Test
    void kicksBeforeDriverOkAreIgnored() {
        try (MockDriver d = MockDriver.create(new RngDevice(), Options.defaults())) {
            d.negotiate();
            d.setUpQueues();
            d.queue(0).add(Buffer.out(d.buffers().alloc(8), 8));
            d.kick(0);
            assertThat(d.queue(0).pollUsed()).isNull();
            d.driverOk();
            d.kick(0);
            assertThat(d.queue(0).pollUsed()).isNotNull();
        }
    }

    @Test
    void statusNamesForDiagnostics() {
        assertThat(DeviceControl.statusNames(ACKNOWLEDGE | DRIVER | NEEDS_RESET)).isEqualTo("[ACKNOWLEDGE DRIVER DEVICE_NEEDS_RESET]");
        assertThat(Features.describe(Features.bit(Virtio.VIRTIO_F_RING_PACKED) | Features.bit(50), java.util.Map.of()))
                .isEqualTo("RING_PACKED bit 50");
    }
}
