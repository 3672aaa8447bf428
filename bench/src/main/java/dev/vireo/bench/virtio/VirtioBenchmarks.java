package dev.vireo.bench.virtio;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs the virtio benchmarks and prints, per parameter combination, vireo's and the baseline's
 * throughput, the vireo/baseline ratio and what vireo adds per operation.
 *
 * <p>The machines vireo is developed on are shared 2-core VMs whose load changes from second to
 * second, so vireo and its baseline run back to back for one parameter combination at a time (a
 * "round"), and the rounds are repeated: the figures are medians over rounds, the ratio the median
 * of the per-round ratios, which cancels most of the drifting load. One JVM (no forks) keeps the
 * rounds short.
 *
 * <pre>bench/run dev.vireo.bench.virtio.VirtioBenchmarks [rounds]</pre>
 */
public final class VirtioBenchmarks {

    private VirtioBenchmarks() {
    }

    public static void main(String[] args) throws RunnerException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        List<String[]> configs = new ArrayList<>();
        for (String layout : new String[] {"split", "packed"}) {
            for (String descriptors : new String[] {"1", "3"}) {
                for (String eventIdx : new String[] {"false", "true"}) {
                    configs.add(new String[] {"QueueBenchmark", "layout", layout, "descriptors", descriptors, "eventIdx", eventIdx});
                }
            }
        }
        for (String layout : new String[] {"split", "packed"}) {
            configs.add(new String[] {"BlockReadBenchmark", "layout", layout});
        }
        Map<String, double[][]> samples = new LinkedHashMap<>(); // config -> [round][vireo, baseline]
        for (int r = 0; r < rounds; r++) {
            for (String[] c : configs) {
                OptionsBuilder o = new OptionsBuilder();
                o.include("dev\\.vireo\\.bench\\.virtio\\." + c[0] + "\\.(vireo|baseline)$")
                        .forks(0).warmupIterations(3).warmupTime(TimeValue.milliseconds(300))
                        .measurementIterations(4).measurementTime(TimeValue.milliseconds(300))
                        .verbosity(VerboseMode.SILENT);
                StringBuilder key = new StringBuilder(c[0]);
                for (int i = 1; i < c.length; i += 2) {
                    o.param(c[i], c[i + 1]);
                    key.append(' ').append(c[i]).append('=').append(c[i + 1]);
                }
                Collection<RunResult> results = new Runner(o.build()).run();
                double[][] s = samples.computeIfAbsent(key.toString(), k -> new double[rounds][2]);
                for (RunResult res : results) {
                    String label = res.getParams().getBenchmark();
                    s[r][label.endsWith(".vireo") ? 0 : 1] = res.getPrimaryResult().getScore();
                }
                System.err.printf(Locale.ROOT, "round %d/%d %-55s vireo %,.0f baseline %,.0f%n", r + 1, rounds, key,
                        s[r][0], s[r][1]);
            }
        }
        System.out.println();
        System.out.println("Command: bench/run dev.vireo.bench.virtio.VirtioBenchmarks " + rounds);
        System.out.println("Medians over " + rounds + " rounds (vireo and baseline back to back in each round):");
        System.out.printf(Locale.ROOT, "%-55s %14s %14s %7s %9s%n", "benchmark", "vireo ops/s", "baseline ops/s", "ratio",
                "+ns/op");
        for (Map.Entry<String, double[][]> e : samples.entrySet()) {
            double[][] s = e.getValue();
            double v = median(Arrays.stream(s).mapToDouble(x -> x[0]).toArray());
            double b = median(Arrays.stream(s).mapToDouble(x -> x[1]).toArray());
            double ratio = median(Arrays.stream(s).mapToDouble(x -> x[0] / x[1]).toArray());
            double extra = median(Arrays.stream(s).mapToDouble(x -> 1e9 / x[0] - 1e9 / x[1]).toArray());
            System.out.printf(Locale.ROOT, "%-55s %,14.0f %,14.0f %7.2f %9.1f%n", e.getKey(), v, b, ratio, extra);
        }
    }

    private static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
