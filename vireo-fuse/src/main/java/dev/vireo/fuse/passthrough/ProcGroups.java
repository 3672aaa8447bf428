package dev.vireo.fuse.passthrough;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Supplementary groups of requesting processes, read from {@code /proc/<pid>/status} and cached
 * for a second in a small direct-mapped table (a cache hit allocates nothing). A process whose
 * fsuid or fsgid no longer match the request (it changed identity, or its pid was reused) gets no
 * groups: the conservative answer, since groups only ever add permissions.
 */
final class ProcGroups {

    /** Groups kept per process. */
    static final int MAX = 64;
    private static final int SLOTS = 256;
    private static final long TTL_NANOS = 1_000_000_000L;

    private static final class Slot {
        int pid = -1;
        int uid;
        int gid;
        int[] groups = new int[0];
        long expires;
    }

    private final Slot[] slots = new Slot[SLOTS];

    ProcGroups() {
        for (int i = 0; i < SLOTS; i++) {
            slots[i] = new Slot();
        }
    }

    /**
     * Appends {@code pid}'s supplementary groups to {@code out} after the first {@code n} entries
     * (when its fsuid and fsgid are {@code uid} and {@code gid}); returns the new count.
     */
    int groups(int pid, int uid, int gid, int[] out, int n) {
        if (pid <= 0) {
            return n;
        }
        Slot s = slots[pid & (SLOTS - 1)];
        int[] found;
        synchronized (s) {
            long now = System.nanoTime();
            if (s.pid != pid || s.uid != uid || s.gid != gid || now - s.expires > 0) {
                s.pid = pid;
                s.uid = uid;
                s.gid = gid;
                s.groups = read(pid, uid, gid);
                s.expires = now + TTL_NANOS;
            }
            found = s.groups;
        }
        int count = n;
        for (int g : found) {
            if (count == out.length) {
                break;
            }
            out[count++] = g;
        }
        return count;
    }

    /** The "Groups:" of /proc/pid/status when its fs ids match, else none. */
    static int[] read(int pid, int uid, int gid) {
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc", Integer.toString(pid), "status"));
        } catch (IOException | RuntimeException e) {
            return new int[0];
        }
        int[] groups = new int[0];
        boolean idsMatch = false;
        boolean gidsMatch = false;
        for (String line : lines) {
            if (line.startsWith("Uid:")) {
                idsMatch = field(line, 4) == Integer.toUnsignedLong(uid);
            } else if (line.startsWith("Gid:")) {
                gidsMatch = field(line, 4) == Integer.toUnsignedLong(gid);
            } else if (line.startsWith("Groups:")) {
                String[] f = line.substring(7).trim().split("\\s+");
                int count = 0;
                int[] g = new int[Math.min(f.length, MAX)];
                for (String x : f) {
                    if (!x.isEmpty() && count < g.length) {
                        g[count++] = Integer.parseInt(x);
                    }
                }
                groups = java.util.Arrays.copyOf(g, count);
            }
        }
        return idsMatch && gidsMatch ? groups : new int[0];
    }

    /** The {@code index}-th whitespace-separated field of a status line (1 = real ... 4 = fs id). */
    private static long field(String line, int index) {
        String[] f = line.trim().split("\\s+");
        return f.length > index ? Long.parseLong(f[index]) : -1;
    }
}
