/**
 * The portable engine: epoll plus non-blocking reads and writes for pipes, sockets and eventfds,
 * a pool of platform threads for blocking file calls, and a timer heap
 * ({@link dev.vireo.io.epoll.EpollEngine}).
 */
package dev.vireo.io.epoll;
