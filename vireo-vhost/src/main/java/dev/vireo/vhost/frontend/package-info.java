/** A vhost-user front-end in Java: drives any vhost-user back-end without a VM (tests, {@code vireo fsload}). */
package dev.vireo.vhost.frontend;
