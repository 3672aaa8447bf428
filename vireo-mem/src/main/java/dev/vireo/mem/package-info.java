/**
 * Guest memory, shared by the FUSE codec and the virtqueues.
 *
 * <ul>
 *   <li>{@link dev.vireo.mem.GuestMemory}: regions of guest-physical space; every translation is
 *       checked at both ends and fails with {@link dev.vireo.mem.GuestMemoryException}.</li>
 *   <li>{@link dev.vireo.mem.GuestRam}: memfd-backed RAM that can be shared with KVM, QEMU or a
 *       vhost-user backend.</li>
 *   <li>{@link dev.vireo.mem.SgList}, {@link dev.vireo.mem.SgReader}, {@link dev.vireo.mem.SgWriter}:
 *       scatter-gather lists and sequential little-endian readers/writers over them, so that a FUSE
 *       request decodes the same from a /dev/fuse buffer as from a descriptor chain, and payloads
 *       pass to preadv/pwritev as iovecs without a copy.</li>
 *   <li>{@link dev.vireo.mem.RingAccess}: acquire/release accesses for ring indexes.</li>
 * </ul>
 */
package dev.vireo.mem;
