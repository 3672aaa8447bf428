package dev.vireo.vmm.run;

import dev.vireo.vmm.backend.Disk;
import dev.vireo.vmm.backend.Share;
import dev.vireo.vmm.qemu.Accel;
import dev.vireo.vmm.qemu.Machine;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What {@code vireo run} was asked to do.
 *
 * @param command   the command and its arguments; empty for an interactive shell
 * @param shares    host directories to share
 * @param disks     disk images
 * @param cpus      vCPUs
 * @param memoryMiB guest RAM
 * @param timeout   the longest the whole run may take, or null
 * @param append    extra kernel parameters
 * @param accel     the accelerator, or null to choose by the host
 * @param machine   the machine type, or null to choose by the kernel
 * @param kernel    a kernel to boot instead of Debian's, or null
 * @param modules   that kernel's module directory, or null
 * @param busybox   a static busybox to use instead of Debian's, or null
 * @param uid       the command's user id in the guest
 * @param gid       its group id
 * @param workdir   its working directory, or null (the first share's mount point, else /)
 * @param env       extra environment entries, NAME=VALUE
 * @param tty       run the command on a terminal (always for the shell)
 * @param verbose   say what vireo chose and show the guest kernel's log
 * @param refresh   ask apt for the newest kernel and busybox instead of reusing the cached ones
 */
public record RunOptions(List<String> command, List<Share> shares, List<Disk> disks, int cpus, long memoryMiB,
                         Duration timeout, List<String> append, Accel accel, Machine machine, Path kernel,
                         Path modules, Path busybox, int uid, int gid, String workdir, List<String> env,
                         boolean tty, boolean verbose, boolean refresh) {

    public RunOptions {
        command = List.copyOf(command);
        shares = List.copyOf(shares);
        disks = List.copyOf(disks);
        append = List.copyOf(append);
        env = List.copyOf(env);
    }

    /** Defaults: one CPU, 512 MiB, no timeout, root in the guest; the command {@code command}. */
    public static RunOptions of(List<String> command) {
        return new RunOptions(command, List.of(), List.of(), 1, 512, null, List.of(), null, null, null, null, null,
                0, 0, null, List.of(), false, false, false);
    }

    public RunOptions withShares(List<Share> s) {
        return new RunOptions(command, s, disks, cpus, memoryMiB, timeout, append, accel, machine, kernel, modules,
                busybox, uid, gid, workdir, env, tty, verbose, refresh);
    }

    public RunOptions withDisks(List<Disk> d) {
        return new RunOptions(command, shares, d, cpus, memoryMiB, timeout, append, accel, machine, kernel, modules,
                busybox, uid, gid, workdir, env, tty, verbose, refresh);
    }

    public RunOptions withCpus(int n) {
        return new RunOptions(command, shares, disks, n, memoryMiB, timeout, append, accel, machine, kernel, modules,
                busybox, uid, gid, workdir, env, tty, verbose, refresh);
    }

    public RunOptions withTimeout(Duration t) {
        return new RunOptions(command, shares, disks, cpus, memoryMiB, t, append, accel, machine, kernel, modules,
                busybox, uid, gid, workdir, env, tty, verbose, refresh);
    }

    public RunOptions withUser(int u, int g) {
        return new RunOptions(command, shares, disks, cpus, memoryMiB, timeout, append, accel, machine, kernel, modules,
                busybox, u, g, workdir, env, tty, verbose, refresh);
    }

    public RunOptions withMachine(Machine m) {
        return new RunOptions(command, shares, disks, cpus, memoryMiB, timeout, append, accel, m, kernel, modules,
                busybox, uid, gid, workdir, env, tty, verbose, refresh);
    }

    public RunOptions withKernel(Path k, Path mods) {
        return new RunOptions(command, shares, disks, cpus, memoryMiB, timeout, append, accel, machine, k, mods,
                busybox, uid, gid, workdir, env, tty, verbose, refresh);
    }

    public RunOptions withEnv(List<String> e) {
        return new RunOptions(command, shares, disks, cpus, memoryMiB, timeout, append, accel, machine, kernel, modules,
                busybox, uid, gid, workdir, e, tty, verbose, refresh);
    }
}
