package dev.vireo.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The CPU time a process has used, all its threads together (live and exited), from the utime and
 * stime fields of {@code /proc/PID/stat} (proc(5) fields 14 and 15). They count USER_HZ ticks,
 * which is 100 on every Linux architecture vireo runs on (the kernel scales its nanosecond
 * accounting to USER_HZ for this file), so a measurement is good to 10 ms: runs of seconds.
 *
 * <p>Descendants count too: the C virtiofsd forks into its namespace sandbox and serves from the
 * child, while the socket's peer credentials name the parent.
 */
final class DaemonCpu {

    private static final long NANOS_PER_TICK = 1_000_000_000L / 100;

    private DaemonCpu() {
    }

    /**
     * User plus system CPU time of {@code pid} and its live descendants in nanoseconds, or -1 when
     * {@code pid}'s cannot be read.
     */
    static long nanos(long pid) {
        long own = own(pid);
        if (own < 0) {
            return -1;
        }
        long sum = own;
        java.util.ArrayDeque<Long> parents = new java.util.ArrayDeque<>(List.of(pid));
        java.util.Map<Long, List<Long>> children = childrenByParent();
        while (!parents.isEmpty()) {
            for (long child : children.getOrDefault(parents.poll(), List.of())) {
                long c = own(child);
                if (c > 0) {
                    sum += c;
                }
                parents.add(child);
            }
        }
        return sum;
    }

    private static java.util.Map<Long, List<Long>> childrenByParent() {
        java.util.Map<Long, List<Long>> map = new java.util.HashMap<>();
        try (var dirs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().chars().allMatch(Character::isDigit))) {
            for (Path p : dirs) {
                String[] f = fields(p.getFileName().toString());
                if (f != null) {
                    map.computeIfAbsent(Long.parseLong(f[1]), k -> new java.util.ArrayList<>()).add(Long.parseLong(p.getFileName().toString()));
                }
            }
        } catch (IOException e) {
            // no descendants known
        }
        return map;
    }

    /** Fields 3.. of /proc/PID/stat (f[0] = state, f[1] = ppid), or null. */
    private static String[] fields(String pid) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", pid, "stat"));
        } catch (IOException e) {
            return null;
        }
        int close = stat.lastIndexOf(')');
        return close < 0 || close + 2 > stat.length() ? null : stat.substring(close + 2).trim().split(" ");
    }

    private static long own(long pid) {
        if (pid <= 0) {
            return -1;
        }
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        } catch (IOException e) {
            return -1;
        }
        // The command name (field 2) is in parentheses and may contain spaces or ')': skip to the last ')'.
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            return -1;
        }
        String[] f = stat.substring(close + 2).trim().split(" ");
        // f[0] is field 3 (state): utime is field 14 -> f[11], stime field 15 -> f[12].
        if (f.length < 13) {
            return -1;
        }
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * NANOS_PER_TICK;
    }

    /** The executable of {@code pid} (for labels), or "pid N" when it cannot be read. */
    static String name(long pid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "exe")).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return "pid " + pid;
        }
    }
}
