package dev.vireo.sys;

import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * vireo's one logging facility. Each component holds a {@code static final Log} for its area
 * ("fuse", "virtio", "vhost", "io", "kvm", "cli" ...).
 *
 * <ul>
 *   <li>Debug messages are always compiled (so they cannot rot) and switched on at run time per
 *       area with {@code -Dvireo.debug=fuse,virtio} (or {@code all}), or the environment variable
 *       {@code VIREO_DEBUG}. When off, {@link #debug} returns after one final-field test; guard
 *       calls whose arguments cost something to compute with {@link #on()}.</li>
 *   <li>Warnings are always printed, but at most {@value #WARN_BURST} per area per second: a guest
 *       or FUSE client that floods vireo with bad requests cannot flood the log. What was held back
 *       is counted and reported with the next warning that gets through.</li>
 * </ul>
 * Messages use {@link String#format} syntax and go to standard error.
 */
public final class Log {

    /** Warnings allowed per area and second before the rest are counted instead of printed. */
    public static final int WARN_BURST = 10;

    private static final Set<String> ENABLED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        ENABLED.addAll(parse(System.getProperty("vireo.debug", System.getenv().getOrDefault("VIREO_DEBUG", ""))));
    }
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
    private static volatile PrintStream out = System.err;

    private final String area;
    private final boolean debug;
    private long windowStart;
    private int inWindow;
    private long suppressed;

    private Log(String area) {
        this.area = area;
        this.debug = ENABLED.contains(area) || ENABLED.contains("all") || ENABLED.contains("*");
    }

    /** The log of {@code area}. */
    public static Log of(String area) {
        return new Log(area);
    }

    /** Whether debug output is on for this area. */
    public boolean on() {
        return debug;
    }

    /** The area's name. */
    public String area() {
        return area;
    }

    public void debug(String message) {
        if (debug) {
            print("debug", message);
        }
    }

    public void debug(String format, Object a) {
        if (debug) {
            print("debug", String.format(Locale.ROOT, format, a));
        }
    }

    public void debug(String format, Object a, Object b) {
        if (debug) {
            print("debug", String.format(Locale.ROOT, format, a, b));
        }
    }

    public void debug(String format, Object a, Object b, Object c) {
        if (debug) {
            print("debug", String.format(Locale.ROOT, format, a, b, c));
        }
    }

    public void debug(String format, Object... args) {
        if (debug) {
            print("debug", String.format(Locale.ROOT, format, args));
        }
    }

    /** A warning, rate-limited per area. */
    public void warn(String format, Object... args) {
        long held;
        synchronized (this) {
            long now = System.nanoTime();
            if (now - windowStart > 1_000_000_000L) {
                windowStart = now;
                inWindow = 0;
            }
            if (++inWindow > WARN_BURST) {
                suppressed++;
                return;
            }
            held = suppressed;
            suppressed = 0;
        }
        String message = String.format(Locale.ROOT, format, args);
        if (held > 0) {
            message += " (" + held + " similar warnings suppressed)";
        }
        print("warning", message);
    }

    /** Sends output elsewhere (tests). */
    public static void redirect(PrintStream stream) {
        out = stream;
    }

    /**
     * Switches debug output on for {@code area} in logs created from now on (a command's
     * {@code --debug} option, before it loads the classes of that area). Logs already created keep
     * their setting: the per-call test stays one final field.
     */
    public static void enable(String area) {
        ENABLED.add(area.toLowerCase(Locale.ROOT));
    }

    private void print(String level, String message) {
        out.println("[vireo " + area + " " + level + " " + LocalTime.now().format(TIME) + " "
                + Thread.currentThread().getName() + "] " + message);
    }

    private static Set<String> parse(String spec) {
        return Arrays.stream(spec.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .map(s -> s.toLowerCase(Locale.ROOT))
                .collect(Collectors.toUnmodifiableSet());
    }
}
