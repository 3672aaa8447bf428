package dev.vireo.vmm.guest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The dependency lists of {@code modules.dep} as written by depmod(8): one line per module,
 * {@code path: dependency-path ...}, paths relative to the modules directory. A line that does not
 * have this shape is refused with its number, so a damaged file is reported rather than half used.
 */
public final class ModulesDep {

    /** One module's line: its path and the paths of the modules it needs. */
    public record Entry(String path, List<String> depends) {
    }

    /** A line of modules.dep that is not {@code path: path ...}. */
    public static final class BadModulesDepException extends Exception {
        public BadModulesDepException(String message) {
            super(message);
        }
    }

    private ModulesDep() {
    }

    /** Parses the text of a modules.dep file into entries keyed by module name ({@link KernelModules#canonical}). */
    public static Map<String, Entry> parse(String text) throws BadModulesDepException {
        Map<String, Entry> out = new LinkedHashMap<>();
        int number = 0;
        for (String line : text.split("\n", -1)) {
            number++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new BadModulesDepException("modules.dep line " + number + " has no \"path:\": " + shorten(line));
            }
            String path = line.substring(0, colon).strip();
            if (!isModulePath(path)) {
                throw new BadModulesDepException("modules.dep line " + number + ": not a module path: " + shorten(path));
            }
            List<String> deps = new ArrayList<>();
            for (String d : line.substring(colon + 1).strip().split("\\s+")) {
                if (d.isEmpty()) {
                    continue;
                }
                if (!isModulePath(d)) {
                    throw new BadModulesDepException("modules.dep line " + number + ": not a module path: " + shorten(d));
                }
                deps.add(d);
            }
            out.put(KernelModules.nameOf(path), new Entry(path, List.copyOf(deps)));
        }
        return out;
    }

    /** A relative path that stays inside the modules directory and names a .ko file (maybe compressed). */
    static boolean isModulePath(String p) {
        if (p.isEmpty() || p.startsWith("/") || p.contains("\0")) {
            return false;
        }
        for (String part : p.split("/")) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                return false;
            }
        }
        return KernelModules.nameOf(p) != null;
    }

    private static String shorten(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
