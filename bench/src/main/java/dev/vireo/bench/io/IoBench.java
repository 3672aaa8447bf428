package dev.vireo.bench.io;

import dev.vireo.io.EngineKind;
import dev.vireo.io.EventLoop;
import dev.vireo.io.LoopOptions;
import dev.vireo.io.uring.Probe;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs the I/O benchmarks ({@code bench/run io}) and prints vireo/baseline ratios next to the
 * targets of docs/io.md:
 * <ol>
 *   <li>eventfd notification round trips between two loops: io_uring engine vs portable engine,
 *       sleeping at once and busy-polling 32 µs first (target: io_uring at least 1.3x the
 *       notifications per second);</li>
 *   <li>4 KiB random reads from a 1 GiB file, page cache warm and O_DIRECT, depth 1 and 32:
 *       io_uring engine vs portable engine vs blocking pread from N threads vs FileChannel.read,
 *       the four interleaved (target: io_uring at depth 32 not slower than the best alternative).</li>
 * </ol>
 * Options: {@code --long} (more and longer iterations, two forks), {@code --only eventfd|reads}.
 */
public final class IoBench {

    private IoBench() {
    }

    public static void main(String[] args) throws Exception {
        boolean longRun = false;
        String only = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--long" -> longRun = true;
                case "--only" -> only = args[++i];
                default -> {
                    System.err.println("usage: bench/run io [--long] [--only eventfd|reads]");
                    System.exit(2);
                }
            }
        }
        Path file = BenchFile.path();
        System.out.printf(Locale.ROOT, "vireo I/O benchmarks (%s run)%n", longRun ? "long" : "short");
        System.out.printf(Locale.ROOT, "  machine: %s %s, %d cores, JDK %s%n", System.getProperty("os.name"),
                System.getProperty("os.version"), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        Probe probe = Probe.get();
        if (probe.available()) {
            try (EventLoop loop = EventLoop.open(LoopOptions.defaults().withEngine(EngineKind.IO_URING))) {
                System.out.println("  " + loop.engineDescription());
            }
        } else {
            System.out.println("  io_uring unavailable: " + probe.unavailabilityCause());
        }
        System.out.println("  data file: " + file + (Files.exists(file) ? "" : " (created on first use)"));
        System.out.println("  load average at start: " + loadAverage());

        List<RunResult> results = new ArrayList<>();
        if (only == null || only.equals("eventfd")) {
            // The notification path is allocation-free only once C2 has compiled it, which takes
            // a few hundred thousand notifications: warm up longer than the reads need.
            results.addAll(runWhenFree(options(longRun, file, longRun ? 5 : 3, 2, longRun ? 3 : 2)
                    .include(EventfdPingPongBench.class.getName())));
        }
        if (only == null || only.equals("reads")) {
            BenchFile.ensure(); // created once, before any measurement
            // The loops' FFM-heavy path (SQE and CQE fields through MemorySegment accessors) is slow
            // until C2 compiles it: at depth 1 a one-second warm-up left it at a tenth of its speed.
            // An iteration covers all four methods in turn, so it lasts longer than one of a single method.
            results.addAll(runWhenFree(options(longRun, file, longRun ? 5 : 3, longRun ? 3 : 2, longRun ? 5 : 3)
                    .include(RandomReadBench.class.getName())));
        }

        System.out.println();
        System.out.println("==== vireo I/O benchmark results ====");
        System.out.println("load average at the end: " + loadAverage() + " (other work on the machine skews rates; CPU per notification less so)");
        printEventfd(results);
        printReads(results);
        System.out.println("reproduce: bench/run io" + (longRun ? " --long" : "") + (only != null ? " --only " + only : ""));
    }

    private static ChainedOptionsBuilder options(boolean longRun, Path file, int warmups, int warmupSeconds, int seconds) {
        return new OptionsBuilder()
                .forks(longRun ? 2 : 1)
                .warmupIterations(warmups)
                .warmupTime(TimeValue.seconds(warmupSeconds))
                .measurementIterations(5)
                .measurementTime(TimeValue.seconds(seconds))
                .jvmArgsAppend("--enable-native-access=ALL-UNNAMED", "-Dvireo.bench.file=" + file)
                .shouldFailOnError(true);
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2] + " on " + Runtime.getRuntime().availableProcessors() + " cores";
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    /**
     * JMH refuses to start while another JMH run holds /tmp/jmh.lock (two benchmarks at once
     * would measure each other). On a shared machine, wait for it instead of failing.
     */
    private static Collection<RunResult> runWhenFree(ChainedOptionsBuilder o) throws Exception {
        long waitedSince = System.nanoTime();
        while (true) {
            try {
                return new Runner(o.build()).run();
            } catch (org.openjdk.jmh.runner.RunnerException e) {
                if (e.getMessage() == null || !e.getMessage().contains("JMH lock")) {
                    throw e;
                }
                if (System.nanoTime() - waitedSince > java.util.concurrent.TimeUnit.MINUTES.toNanos(30)) {
                    throw e;
                }
                System.out.println("  another JMH run holds /tmp/jmh.lock; waiting for it to finish ...");
                Thread.sleep(15_000);
            }
        }
    }

    private static void printEventfd(Collection<RunResult> results) {
        // busy-poll budget -> engine -> result
        Map<Long, Map<String, RunResult>> byPoll = new java.util.TreeMap<>();
        for (RunResult r : results) {
            if (r.getParams().getBenchmark().endsWith("EventfdPingPongBench.roundTrips")) {
                byPoll.computeIfAbsent(Long.parseLong(r.getParams().getParam("busyPoll")), k -> new LinkedHashMap<>())
                        .put(r.getParams().getParam("engine"), r);
            }
        }
        if (byPoll.isEmpty()) {
            return;
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "1. eventfd notifications, two loops ping-ponging (%d round trips per batch)%n",
                EventfdPingPongBench.ROUND_TRIPS);
        System.out.printf(Locale.ROOT, "   %-9s %-10s %26s %18s %20s %24s%n", "engine", "busy poll", "round trips/s (min-max)",
                "notifications/s", "round-trip latency", "loop CPU / notification");
        List<String> verdicts = new ArrayList<>();
        for (Map.Entry<Long, Map<String, RunResult>> p : byPoll.entrySet()) {
            String poll = p.getKey() == 0 ? "off" : p.getKey() / 1000 + " µs";
            Map<String, RunResult> byEngine = p.getValue();
            for (Map.Entry<String, RunResult> e : byEngine.entrySet()) {
                List<Double> it = iterations(e.getValue());
                double m = median(it);
                System.out.printf(Locale.ROOT, "   %-9s %-10s %9.0f (%6.0f-%6.0f) %18.0f %17.2f µs %21.2f µs%n", e.getKey(), poll, m,
                        it.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN),
                        it.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN),
                        2 * m, 1e6 / m, cpuPerNotification(e.getValue()) / 1000);
            }
            if (byEngine.containsKey("io_uring") && byEngine.containsKey("epoll")) {
                RunResult u = byEngine.get("io_uring");
                RunResult e = byEngine.get("epoll");
                double ratio = median(iterations(u)) / median(iterations(e));
                verdicts.add(String.format(Locale.ROOT,
                        "busy poll %-6s: io_uring/epoll notifications per second %.2f (target >= 1.30: %s); epoll/io_uring loop CPU per notification %.2f",
                        poll, ratio, ratio >= 1.3 ? "met" : "NOT met", cpuPerNotification(e) / cpuPerNotification(u)));
            }
        }
        for (String v : verdicts) {
            System.out.println("   " + v);
        }
    }

    /** Each measurement iteration's IOPS of one method of the interleaved read benchmark. */
    private static List<Double> methodIops(RunResult r, String method) {
        String prefix = method.equals("io_uring") ? "ioUring" : method;
        List<Double> iops = new ArrayList<>();
        for (org.openjdk.jmh.results.BenchmarkResult b : r.getBenchmarkResults()) {
            for (org.openjdk.jmh.results.IterationResult i : b.getIterationResults()) {
                org.openjdk.jmh.results.Result<?> reads = i.getSecondaryResults().get(prefix + "Reads");
                org.openjdk.jmh.results.Result<?> nanos = i.getSecondaryResults().get(prefix + "Nanos");
                if (reads != null && nanos != null && nanos.getScore() > 0) {
                    iops.add(reads.getScore() / nanos.getScore() * 1e9);
                }
            }
        }
        return iops;
    }

    /** Every measurement iteration's score, over all forks. */
    private static List<Double> iterations(RunResult r) {
        List<Double> scores = new ArrayList<>();
        for (org.openjdk.jmh.results.BenchmarkResult b : r.getBenchmarkResults()) {
            for (org.openjdk.jmh.results.IterationResult i : b.getIterationResults()) {
                scores.add(i.getPrimaryResult().getScore());
            }
        }
        return scores;
    }

    /**
     * The median: other jobs on a shared machine (page-cache drops, CPU-heavy builds) spoil
     * single iterations, which would drag a mean down.
     */
    private static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> v = new ArrayList<>(values);
        v.sort(null);
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }

    /** Median over iterations of the loop threads' CPU nanoseconds per notification (two per round trip). */
    private static double cpuPerNotification(RunResult r) {
        List<Double> perIteration = new ArrayList<>();
        for (org.openjdk.jmh.results.BenchmarkResult b : r.getBenchmarkResults()) {
            for (org.openjdk.jmh.results.IterationResult i : b.getIterationResults()) {
                org.openjdk.jmh.results.Result<?> cpu = i.getSecondaryResults().get("loopCpuNanos");
                if (cpu != null) {
                    perIteration.add(cpu.getScore() / i.getPrimaryResult().getScore() / 2);
                }
            }
        }
        return median(perIteration);
    }

    private static void printReads(Collection<RunResult> results) {
        // cache -> depth -> method -> IOPS
        Map<String, Map<Integer, Map<String, Double>>> table = new LinkedHashMap<>();
        for (RunResult r : results) {
            if (!r.getParams().getBenchmark().endsWith("RandomReadBench.reads")) {
                continue;
            }
            Map<String, Double> row = table.computeIfAbsent(r.getParams().getParam("cache"), k -> new LinkedHashMap<>())
                    .computeIfAbsent(Integer.parseInt(r.getParams().getParam("depth")), k -> new LinkedHashMap<>());
            for (String method : RandomReadBench.METHODS) {
                row.put(method, median(methodIops(r, method)));
            }
        }
        if (table.isEmpty()) {
            return;
        }
        System.out.println();
        System.out.println("2. 4 KiB random reads from a 1 GiB file, IOPS, median of iterations; the four methods interleaved");
        System.out.printf(Locale.ROOT, "   (%d reads each in turn; io_uring and epoll: one loop per core, at most depth, registered file%n",
                RandomReadBench.READS);
        System.out.println("   and buffers; pread and FileChannel: N = depth threads)");
        List<String> methods = List.of("io_uring", "epoll", "pread", "filechannel");
        System.out.printf(Locale.ROOT, "   %-7s %5s %10s %10s %10s %12s | %9s %9s %9s %9s%n", "cache", "depth",
                "io_uring", "epoll", "pread", "FileChannel", "/epoll", "/pread", "/FileCh.", "/best");
        List<String> verdicts = new ArrayList<>();
        for (Map.Entry<String, Map<Integer, Map<String, Double>>> c : table.entrySet()) {
            for (Map.Entry<Integer, Map<String, Double>> d : c.getValue().entrySet()) {
                Map<String, Double> m = d.getValue();
                double uring = m.getOrDefault("io_uring", Double.NaN);
                double best = Math.max(m.getOrDefault("epoll", 0.0), Math.max(m.getOrDefault("pread", 0.0), m.getOrDefault("filechannel", 0.0)));
                StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "   %-7s %5d", c.getKey(), d.getKey()));
                for (String method : methods) {
                    row.append(String.format(Locale.ROOT, method.equals("filechannel") ? " %12.0f" : " %10.0f", m.getOrDefault(method, Double.NaN)));
                }
                row.append(" |");
                for (String method : List.of("epoll", "pread", "filechannel")) {
                    row.append(String.format(Locale.ROOT, " %9.2f", uring / m.getOrDefault(method, Double.NaN)));
                }
                row.append(String.format(Locale.ROOT, " %9.2f", uring / best));
                System.out.println(row);
                if (d.getKey() == 32) {
                    verdicts.add(String.format(Locale.ROOT, "%s depth 32: io_uring/best alternative %.2f (target >= 1.00: %s)",
                            c.getKey(), uring / best, uring >= best ? "met" : "NOT met"));
                }
            }
        }
        for (String v : verdicts) {
            System.out.println("   " + v);
        }
    }
}
