/**
 * The vhost-user protocol's messages (QEMU docs/interop/vhost-user.rst): request codes, the
 * header, and one record per payload type. Parsing checks syntax only (sizes, counts, overflow,
 * overlap); whether a request makes sense in the connection's state is the back-end handler's
 * check. Everything the front-end sends is untrusted.
 */
package dev.vireo.vhost.proto;
