package dev.vireo.cli;

import dev.vireo.sys.SocketCalls;
import dev.vireo.sys.SysException;
import dev.vireo.sys.abi.virtio.Virtio;
import dev.vireo.vhost.frontend.FrontendClient;
import dev.vireo.vhost.frontend.FrontendQueue;
import dev.vireo.vhost.frontend.VhostUserFrontend;
import dev.vireo.vhost.fsclient.FsLoad;
import dev.vireo.vhost.fsclient.FsLoad.Options;
import dev.vireo.vhost.fsclient.FsLoad.Result;
import dev.vireo.vhost.fsclient.FsLoad.Workload;
import dev.vireo.vhost.fsclient.FuseClient;
import dev.vireo.vhost.fsclient.FuseProtocolException;
import dev.vireo.vhost.fsclient.FuseReplyException;
import dev.vireo.vhost.proto.MessageException;
import dev.vireo.virtio.driver.DeviceFaultException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;

/**
 * {@code vireo fsload}: a vhost-user-fs front-end without a VM that measures virtio-fs daemons.
 * It plays QEMU and the guest's virtiofs driver (memfd guest memory, split virtqueues, kick and
 * call eventfds, FUSE INIT) and runs workloads at a fixed queue depth against one or more
 * daemons, alternating runs between them, reporting throughput, latency and the daemon's CPU time
 * per operation.
 */
@Command(name = "fsload",
        header = "Measure a vhost-user-fs daemon (vireo's or another) without a VM.",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Drives vhost-user-fs daemons (vireo virtiofsd, the C or Rust virtiofsd) like a guest would, without a VM,",
            "and measures them. Start a daemon first, for example:",
            "  /usr/lib/qemu/virtiofsd --socket-path=/tmp/fs.sock -o source=/srv/share -o cache=auto &",
            "  vireo fsload --socket-path /tmp/fs.sock --workload read4k --depth 16 --duration 5",
            "Files: fsload creates them through FUSE at the top of the shared directory (fsload-data of",
            "--file-size, fsload-write, fsload-lookup-NNN) and keeps them for the next run.",
            "Workloads (one operation = what one system call costs the daemon without guest caches):",
            "  lookup   LOOKUP + GETATTR of one of 64 names (stat of an uncached path)",
            "  read4k   READ of 4 KiB at a random aligned offset of fsload-data",
            "  read1m   sequential 1 MiB READs of fsload-data",
            "  write1m  sequential 1 MiB WRITEs of fsload-write, FSYNC at the end (not timed)",
            "  create   CREATE + RELEASE + UNLINK of a new name (and a FORGET on the hiprio queue)",
            "With several --socket-path options the runs alternate between the daemons (same workload,",
            "same depth, one after the other), which makes a fair side-by-side comparison.",
            "Waiting for replies, fsload watches the used ring for --halt-poll-us",
            "before it blocks on the call eventfd, as KVM does for a halted vCPU;",
            "--halt-poll-us 0 models a vCPU thread that sleeps at once.",
            "Daemon CPU per operation comes from /proc/PID/stat; the PID is the socket peer's",
            "(SO_PEERCRED) unless --pid gives it. --native-dir DIR adds the same operations as plain",
            "system calls on the host directory (the ceiling)."},
        footer = {"", "Output columns: label workload depth ops seconds ops/s MiB/s p50_us p99_us daemon_cpu_us_per_op"
            + " requests_per_kick"})
public final class FsloadCommand implements Runnable {

    @Option(names = "--socket-path", paramLabel = "S", description = "A daemon's vhost-user socket (repeat for several daemons).")
    private List<String> sockets = new ArrayList<>();

    @Option(names = "--label", paramLabel = "NAME", description = "A name per --socket-path for the output (default: daemon1, daemon2, ...).")
    private List<String> labels = new ArrayList<>();

    @Option(names = "--pid", paramLabel = "PID", description = "The daemon's process per --socket-path (default: the socket peer).")
    private List<Long> pids = new ArrayList<>();

    @Option(names = "--workload", paramLabel = "W", split = ",", defaultValue = "read4k",
            description = "lookup, read4k, read1m, write1m, create, or all; a comma list runs each. Default: ${DEFAULT-VALUE}.")
    private List<String> workloads;

    @Option(names = "--depth", paramLabel = "N", split = ",", defaultValue = "1",
            description = "Operations in flight (a comma list runs each). Default: ${DEFAULT-VALUE}.")
    private List<Integer> depths;

    @Option(names = "--duration", paramLabel = "SECONDS", description = "Length of each run (default 5 unless --ops is given).")
    private Double duration;

    @Option(names = "--ops", paramLabel = "N", description = "Stop each run after N operations.")
    private Long ops;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "1", description = "Repeat every run N times. Default: ${DEFAULT-VALUE}.")
    private int rounds;

    @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "0",
            description = "An unreported run of this length before each workload and depth. Default: ${DEFAULT-VALUE}.")
    private double warmup;

    @Option(names = "--file-size", paramLabel = "MiB", defaultValue = "64", description = "Size of fsload-data in MiB. Default: ${DEFAULT-VALUE}.")
    private long fileMiB;

    @Option(names = "--verify", description = "Check every byte read against the pattern fsload wrote.")
    private boolean verify;

    @Option(names = "--keep-created", description = "create: keep the files (CREATE + RELEASE, no UNLINK).")
    private boolean keepCreated;

    @Option(names = "--native-dir", paramLabel = "DIR", description = "Also run the workloads as system calls on DIR (the shared directory).")
    private String nativeDir;

    @Option(names = "--halt-poll-us", paramLabel = "US", defaultValue = "200",
            description = "Watch the used ring this long before blocking on the daemon's call eventfd, as KVM polls a "
                    + "halted vCPU (halt_poll_ns, 200 us by default on x86); 0 blocks at once, like a vCPU thread that "
                    + "sleeps (KVM with halt polling off; TCG). Default: ${DEFAULT-VALUE}.")
    private long haltPollUs;

    @Option(names = "--tsv", description = "Tab-separated output without the header (for scripts).")
    private boolean tsv;

    @Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    /** A connected daemon. */
    private record Session(String label, long pid, VhostUserFrontend frontend, FuseClient client, FsLoad load) {
    }

    @Override
    public void run() {
        if (sockets.isEmpty() && nativeDir == null) {
            throw new IllegalArgumentException("give a daemon with --socket-path S (or --native-dir DIR)");
        }
        if (!labels.isEmpty() && labels.size() != sockets.size() || !pids.isEmpty() && pids.size() != sockets.size()) {
            throw new IllegalArgumentException("give --label and --pid once per --socket-path, or not at all");
        }
        List<Workload> selected = parseWorkloads();
        int maxDepth = depths.stream().mapToInt(Integer::intValue).max().orElse(1);
        if (depths.stream().anyMatch(d -> d < 1 || d > 256)) {
            throw new IllegalArgumentException("--depth must be between 1 and 256");
        }
        if (fileMiB < 1 || fileMiB > (1L << 20)) {
            throw new IllegalArgumentException("--file-size must be between 1 and 1048576 MiB");
        }
        if (haltPollUs < 0 || haltPollUs > 1_000_000) {
            throw new IllegalArgumentException("--halt-poll-us must be between 0 and 1000000");
        }
        long durationNanos = duration != null ? (long) (duration * 1e9) : ops == null ? 5_000_000_000L : 0;
        long maxOps = ops != null ? ops : 0;
        long fileBytes = fileMiB << 20;
        PrintWriter out = spec.commandLine().getOut();

        List<Session> sessions = new ArrayList<>();
        NativeLoad nat = null;
        try {
            for (int i = 0; i < sockets.size(); i++) {
                sessions.add(connect(i, maxDepth, selected, fileBytes, out));
            }
            if (nativeDir != null) {
                nat = new NativeLoad(nativeDir, sessions.isEmpty() ? 1 << 20 : sessions.get(0).load().ioSize());
                for (Workload w : selected) {
                    nat.prepare(w, fileBytes);
                }
            }
            if (!tsv) {
                out.printf("%-10s %-8s %5s %10s %7s %11s %9s %9s %9s %12s %8s%n", "label", "workload", "depth", "ops", "seconds",
                        "ops/s", "MiB/s", "p50_us", "p99_us", "cpu_us/op", "req/kick");
                out.flush();
            }
            for (int round = 0; round < rounds; round++) {
                for (Workload w : selected) {
                    for (int depth : depths) {
                        if (round == 0 && warmup > 0) {
                            Options wo = new Options(w, depth, (long) (warmup * 1e9), 0, fileBytes, false, false);
                            for (Session s : sessions) {
                                run(s, wo);
                            }
                        }
                        Options o = new Options(w, depth, durationNanos, maxOps, fileBytes, verify, keepCreated);
                        // Alternate who goes first from round to round (native included: a run
                        // pays for the writeback of the dirty pages the one before it left).
                        int n = sessions.size() + (nat != null ? 1 : 0);
                        for (int k = 0; k < n; k++) {
                            int i = (k + round) % n;
                            if (i == sessions.size()) {
                                print(out, "native", nat.run(o), -1);
                                continue;
                            }
                            Session s = sessions.get(i);
                            long cpu0 = DaemonCpu.nanos(s.pid());
                            Result r = run(s, o);
                            long cpu1 = DaemonCpu.nanos(s.pid());
                            print(out, s.label(), r, cpu0 < 0 || cpu1 < 0 ? -1 : cpu1 - cpu0);
                        }
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            for (Session s : sessions) {
                s.frontend().close();
            }
            if (nat != null) {
                nat.close();
            }
        }
    }

    /** One run; what the daemon did wrong becomes one line naming it (exit status 1). */
    private static Result run(Session s, Options o) {
        try {
            return s.load().run(o);
        } catch (FuseProtocolException | FuseReplyException | MessageException | DeviceFaultException | SysException e) {
            throw new IllegalStateException(s.label() + ", " + o.workload().label() + " at depth " + o.depth() + ": " + e.getMessage(), e);
        }
    }

    private List<Workload> parseWorkloads() {
        EnumSet<Workload> set = EnumSet.noneOf(Workload.class);
        List<Workload> order = new ArrayList<>();
        for (String w : workloads) {
            if (w.equals("all")) {
                for (Workload x : Workload.values()) {
                    if (set.add(x)) {
                        order.add(x);
                    }
                }
                continue;
            }
            Workload x;
            try {
                x = Workload.valueOf(w.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown workload " + w + " (lookup, read4k, read1m, write1m, create, all)");
            }
            if (set.add(x)) {
                order.add(x);
            }
        }
        return order;
    }

    private Session connect(int i, int maxDepth, List<Workload> selected, long fileBytes, PrintWriter out) {
        String socket = sockets.get(i);
        String label = labels.isEmpty() ? "daemon" + (i + 1) : labels.get(i);
        FrontendClient client = FrontendClient.connect(socket);
        long pid = pids.isEmpty() ? SocketCalls.peerCredentials(client.connection().socket().num()).pid() : pids.get(i);
        // 1024 entries, as libvirt configures virtiofs: a daemon that bounds max_write by the ring
        // (vireo's does, against drivers falling back to direct descriptors) then grants 1 MiB too.
        int queueSize = Math.max(1024, Integer.highestOneBit(maxDepth * 4 - 1) << 1);
        long slot = (1L << 20) + 8192;
        long ram = ((2L << 20) + maxDepth * slot + (2L << 20) - 1) & -(2L << 20);
        VhostUserFrontend frontend = VhostUserFrontend.start(client, ram, 1L << Virtio.VIRTIO_RING_F_EVENT_IDX);
        try {
            VhostUserFrontend.Negotiated n = frontend.negotiated();
            if (n.queues() >= 0 && n.queues() < 2) {
                throw new IllegalStateException(socket + ": the daemon has " + n.queues() + " queue(s); virtio-fs needs a hiprio and a request queue");
            }
            FrontendQueue hiprio = frontend.addQueue(0, queueSize); // FORGET (and INTERRUPT, not sent)
            FrontendQueue requests = frontend.addQueue(1, queueSize);
            frontend.enable();
            FuseClient fuse = new FuseClient(requests, hiprio, frontend.allocator(), maxDepth, 1 << 20);
            fuse.haltPoll(haltPollUs * 1000);
            FuseClient.Init init = fuse.init();
            FsLoad load = new FsLoad(fuse);
            for (Workload w : selected) {
                load.prepare(w, fileBytes);
            }
            if (!tsv) {
                out.printf("%s: %s, pid %d (%s): FUSE %d.%d, max_write %d, max_pages %d, queue size %d, event_idx %s, halt poll %d us%n",
                        label, socket, pid, DaemonCpu.name(pid), init.major(), init.minor(), init.maxWrite(), init.maxPages(), queueSize,
                        n.has(Virtio.VIRTIO_RING_F_EVENT_IDX) ? "on" : "off", haltPollUs);
            }
            return new Session(label, pid, frontend, fuse, load);
        } catch (FuseProtocolException | FuseReplyException | MessageException | DeviceFaultException e) {
            frontend.close();
            throw new IllegalStateException(label + " (" + socket + "): " + e.getMessage(), e);
        } catch (RuntimeException e) {
            frontend.close();
            throw e;
        }
    }

    private void print(PrintWriter out, String label, Result r, long cpuNanos) {
        double seconds = r.elapsedNanos() / 1e9;
        double cpuPerOp = cpuNanos < 0 || r.ops() == 0 ? -1 : cpuNanos / 1e3 / r.ops();
        double perKick = r.kicks() == 0 ? 0 : (double) r.requests() / r.kicks();
        String fmt = tsv ? "%s\t%s\t%d\t%d\t%.3f\t%.0f\t%.1f\t%.1f\t%.1f\t%.2f\t%.1f%n"
                : "%-10s %-8s %5d %10d %7.2f %11.0f %9.1f %9.1f %9.1f %12.2f %8.1f%n";
        out.printf(Locale.ROOT, fmt, label, r.workload().label(), r.depth(), r.ops(), seconds, r.opsPerSecond(), r.mibPerSecond(),
                r.p50Nanos() / 1e3, r.p99Nanos() / 1e3, cpuPerOp, perKick);
        out.flush();
    }
}
