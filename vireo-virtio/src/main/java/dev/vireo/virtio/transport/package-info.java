/**
 * What every virtio transport shares: {@link dev.vireo.virtio.transport.DeviceControl}, the device
 * status state machine, feature negotiation and queue setup (virtio 1.2 §2.1, §2.2, §3.1). The
 * PCI and MMIO register maps (§4.1, §4.2) that translate register accesses into it belong to the
 * VMM.
 */
package dev.vireo.virtio.transport;
