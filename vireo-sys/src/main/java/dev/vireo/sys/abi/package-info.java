/**
 * Kernel and C library structs, one final class per struct, named after it: a {@code LAYOUT}
 * built from fixed-width value layouts whose element names are the C member names, explicit
 * padding, and static accessors over a segment. Every class is annotated {@link
 * dev.vireo.sys.abi.CStruct} or {@link dev.vireo.sys.abi.CConstants}, and {@code HeaderCheckTest}
 * compares each against the installed headers with gcc. Sub-packages group the structs of one
 * kernel interface: {@code kvm}, {@code uring}, {@code fuse}, {@code virtio} (little-endian by spec).
 */
package dev.vireo.sys.abi;
