/**
 * The vhost-user backends of {@code vireo run}'s devices, behind one interface
 * ({@link dev.vireo.vmm.backend.DeviceServer}, made by a
 * {@link dev.vireo.vmm.backend.BackendFactory}); for now implemented by QEMU's C daemons.
 */
package dev.vireo.vmm.backend;
