/**
 * The I/O loop: components submit operations (read this eventfd, read this file range into this
 * buffer, recvmsg on this socket) and receive completions. Two engines implement it: io_uring and
 * a portable epoll engine. (Built by the I/O loop issue.)
 */
package dev.vireo.io;
