package dev.vireo.vhost.fsclient;

/**
 * Latencies in nanoseconds, recorded without allocating: log-linear buckets (each power of two
 * split into 32 steps, so a percentile is within about 3% of the true value) from 1 ns to 2^62 ns.
 */
public final class LatencyHistogram {

    private static final int SUB_BITS = 5;
    private static final int SUB = 1 << SUB_BITS;
    private final long[] counts = new long[64 * SUB];
    private long total;
    private long max;

    /** Records one latency. */
    public void record(long nanos) {
        long v = Math.max(1, nanos);
        counts[bucket(v)]++;
        total++;
        max = Math.max(max, v);
    }

    private static int bucket(long v) {
        int exp = 63 - Long.numberOfLeadingZeros(v);
        if (exp < SUB_BITS) {
            return (int) v;
        }
        int sub = (int) (v >>> (exp - SUB_BITS)) & (SUB - 1);
        return (exp - SUB_BITS + 1) * SUB + sub;
    }

    /** The upper bound of a bucket's values. */
    private static long upper(int bucket) {
        if (bucket < SUB) {
            return bucket;
        }
        int exp = bucket / SUB + SUB_BITS - 1;
        int sub = bucket % SUB;
        return ((long) (SUB + sub + 1) << (exp - SUB_BITS)) - 1;
    }

    /** Adds everything {@code other} recorded (per-thread histograms into one). */
    public void add(LatencyHistogram other) {
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
        max = Math.max(max, other.max);
    }

    /** Forgets everything recorded. */
    public void reset() {
        java.util.Arrays.fill(counts, 0);
        total = 0;
        max = 0;
    }

    /** Latencies recorded. */
    public long count() {
        return total;
    }

    /** The value at quantile {@code q} (0..1), or 0 when nothing was recorded. */
    public long percentile(double q) {
        if (total == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(q * total));
        long seen = 0;
        for (int b = 0; b < counts.length; b++) {
            seen += counts[b];
            if (seen >= rank) {
                return Math.min(upper(b), max);
            }
        }
        return max;
    }
}
