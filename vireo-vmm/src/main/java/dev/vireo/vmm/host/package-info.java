/** Facts about the host and the running of host programs (apt-get, dpkg-deb, QEMU's helpers). */
package dev.vireo.vmm.host;
