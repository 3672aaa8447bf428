package dev.vireo.cli.sysinfo;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** One titled block of {@code vireo sys-info} output: aligned "key: value" lines. */
public final class Section {

    private final String title;
    private final List<String[]> rows = new ArrayList<>();

    public Section(String title) {
        this.title = title;
    }

    /** Adds a line. */
    public Section add(String key, Object value) {
        rows.add(new String[] {key, String.valueOf(value)});
        return this;
    }

    /** The value of {@code key}, or null (tests). */
    public String get(String key) {
        for (String[] r : rows) {
            if (r[0].equals(key)) {
                return r[1];
            }
        }
        return null;
    }

    public String title() {
        return title;
    }

    public void print(PrintWriter out) {
        int width = rows.stream().mapToInt(r -> r[0].length()).max().orElse(0);
        out.println(title);
        for (String[] r : rows) {
            out.printf("  %-" + width + "s  %s%n", r[0], r[1]);
        }
        out.println();
    }
}
