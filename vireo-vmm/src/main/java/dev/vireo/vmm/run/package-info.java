/**
 * {@code vireo run}: the orchestration of one throw-away VM (guest image, vhost-user backends,
 * QEMU, the console ports and the exit-status protocol, teardown). See docs/run.md.
 */
package dev.vireo.vmm.run;
