/** A vhost-user connection: message framing over a Unix stream socket, with descriptors passed as SCM_RIGHTS. */
package dev.vireo.vhost.conn;
