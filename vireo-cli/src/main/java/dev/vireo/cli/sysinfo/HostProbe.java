package dev.vireo.cli.sysinfo;

import dev.vireo.cli.Main;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The JDK, the kernel, CPUs, memory and the open-file limit. */
public final class HostProbe {

    private HostProbe() {
    }

    public static Section probe() {
        Section s = new Section("Host");
        s.add("vireo", Main.version());
        s.add("JDK", Runtime.version() + " (" + System.getProperty("java.vm.vendor") + ", " + System.getProperty("java.home") + ")");
        s.add("kernel", read("/proc/sys/kernel/osrelease") + " " + System.getProperty("os.arch"));
        s.add("CPUs", Runtime.getRuntime().availableProcessors());
        s.add("memory", memory());
        s.add("open files (hard)", openFileLimit());
        return s;
    }

    private static String memory() {
        for (String line : lines("/proc/meminfo")) {
            if (line.startsWith("MemTotal:")) {
                long kib = Long.parseLong(line.replaceAll("\\D", ""));
                return String.format("%.1f GiB", kib / 1024.0 / 1024.0);
            }
        }
        return "unknown";
    }

    private static String openFileLimit() {
        for (String line : lines("/proc/self/limits")) {
            if (line.startsWith("Max open files")) {
                String[] f = line.substring("Max open files".length()).trim().split("\\s+");
                return f.length >= 2 ? f[1] + " (soft " + f[0] + ")" : line;
            }
        }
        return "unknown";
    }

    static String read(String path) {
        try {
            return Files.readString(Path.of(path)).trim();
        } catch (IOException e) {
            return "unreadable (" + e.getMessage() + ")";
        }
    }

    static java.util.List<String> lines(String path) {
        try {
            return Files.readAllLines(Path.of(path));
        } catch (IOException e) {
            return java.util.List.of();
        }
    }
}
