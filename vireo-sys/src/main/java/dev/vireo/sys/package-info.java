/**
 * The Linux ABI through the FFM API: the one layer through which vireo reaches the kernel.
 *
 * <ul>
 *   <li>{@link dev.vireo.sys.Native}: linking, errno capture, the EINTR policy.</li>
 *   <li>{@link dev.vireo.sys.SysException} and {@link dev.vireo.sys.Errno}: every failure.</li>
 *   <li>{@link dev.vireo.sys.Fd} and {@link dev.vireo.sys.Mapping}: owned resources that fail
 *       loudly when used after close.</li>
 *   <li>Call wrappers by area: {@link dev.vireo.sys.FdCalls}, {@link dev.vireo.sys.FsCalls},
 *       {@link dev.vireo.sys.MemCalls}, {@link dev.vireo.sys.SocketCalls},
 *       {@link dev.vireo.sys.EventCalls}, {@link dev.vireo.sys.ThreadCalls},
 *       {@link dev.vireo.sys.IoUringCalls}, {@link dev.vireo.sys.Ioctl},
 *       {@link dev.vireo.sys.RawSyscall}. Constants live beside the calls that take them.</li>
 *   <li>{@link dev.vireo.sys.Log}: debug output per area, switched on at run time.</li>
 * </ul>
 * Kernel structs are in {@code dev.vireo.sys.abi} and its sub-packages; KVM's fd hierarchy is in
 * {@code dev.vireo.sys.kvm}.
 */
package dev.vireo.sys;
