/** The probes behind {@code vireo sys-info}: each one asks the kernel for real and reports what it found. */
package dev.vireo.cli.sysinfo;
