/**
 * Virtqueues, the virtio device framework and vireo's devices (virtio 1.2). See docs/virtio.md.
 *
 * <ul>
 *   <li>{@link dev.vireo.virtio.queue}: the device side of split and packed virtqueues, validating
 *       everything the guest wrote.</li>
 *   <li>{@link dev.vireo.virtio.device}: the device contract ({@link dev.vireo.virtio.device.VirtioDevice}),
 *       activation, interrupts, kick delivery, the synchronous processing loop.</li>
 *   <li>{@link dev.vireo.virtio.transport}: device status, feature negotiation and queue setup,
 *       shared by the MMIO/PCI transports and the test driver.</li>
 *   <li>{@code dev.vireo.virtio.devices.*}: console, entropy, block and file system devices.</li>
 * </ul>
 */
package dev.vireo.virtio;
