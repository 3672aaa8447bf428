/**
 * The guest of {@code vireo run}: its kernel (Debian's cloud kernel fetched into vireo's cache, or
 * one the user gives), its modules and their dependencies, and the initramfs vireo builds in Java
 * (newc cpio, gzip) around busybox and vireo's {@code /init}. Parsers of files from outside
 * ({@link dev.vireo.vmm.guest.KernelImage}, {@link dev.vireo.vmm.guest.ElfModInfo},
 * {@link dev.vireo.vmm.guest.ModulesDep}) check every offset and are fuzzed.
 */
package dev.vireo.vmm.guest;
