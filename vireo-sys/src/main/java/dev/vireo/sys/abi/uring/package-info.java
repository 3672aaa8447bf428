/** Structs and constants of io_uring ({@code linux/io_uring.h}). */
package dev.vireo.sys.abi.uring;
