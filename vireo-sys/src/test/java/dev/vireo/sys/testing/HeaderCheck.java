package dev.vireo.sys.testing;

import dev.vireo.sys.abi.CConstants;
import dev.vireo.sys.abi.CName;
import dev.vireo.sys.abi.CStruct;
import dev.vireo.sys.abi.NotInHeaders;

import java.io.IOException;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.UnionLayout;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Compares Java layouts and constants with the C headers they mirror: for each group of classes
 * that share a header list, generates a C program printing {@code sizeof}, {@code offsetof} and
 * constant values, compiles it with gcc, runs it, and reports every difference.
 *
 * <p>What is checked: for a {@link CStruct} class, the struct's size (unless {@code checkSize =
 * false}) and the offset and size of every named element of {@code LAYOUT}, recursively (unnamed
 * groups stand for anonymous C members); for a {@link CConstants} class, every public static final
 * int or long field without {@link NotInHeaders}. An int field matches a C value in
 * [-2^31, 2^32) with the same low 32 bits (C unsigned flags such as EPOLLET).
 */
public final class HeaderCheck {

    /** A difference between Java and C, or a C program that did not compile. */
    public record Mismatch(String what, String java, String c) {
        @Override
        public String toString() {
            return what + ": Java " + java + ", C " + c;
        }
    }

    /** What a run checked and found. */
    public record Report(int checked, List<Mismatch> mismatches) {
    }

    private record Expectation(String key, String cExpression, long javaValue, boolean isInt) {
    }

    private final Map<String, List<Expectation>> byHeaders = new LinkedHashMap<>();
    private final List<Mismatch> problems = new ArrayList<>();

    /** Adds every annotated class of {@code classes}. */
    public HeaderCheck add(Iterable<Class<?>> classes) {
        for (Class<?> c : classes) {
            add(c);
        }
        return this;
    }

    /** Adds one class annotated {@link CStruct} or {@link CConstants}; others are ignored. */
    public HeaderCheck add(Class<?> c) {
        CStruct s = c.getAnnotation(CStruct.class);
        if (s != null) {
            addStruct(c, s);
        }
        CConstants k = c.getAnnotation(CConstants.class);
        if (k != null) {
            addConstants(c, k);
        }
        return this;
    }

    private void addStruct(Class<?> c, CStruct s) {
        StructLayout layout;
        try {
            layout = (StructLayout) c.getField("LAYOUT").get(null);
        } catch (ReflectiveOperationException | ClassCastException e) {
            problems.add(new Mismatch(c.getName(), "no public static StructLayout LAYOUT", "-"));
            return;
        }
        List<Expectation> list = group(s.headers());
        String type = s.value();
        if (s.checkSize()) {
            list.add(new Expectation(type + " sizeof", "sizeof(" + type + ")", layout.byteSize(), false));
        }
        members(type, layout, "", 0, list);
    }

    private static void members(String type, GroupLayout group, String prefix, long base, List<Expectation> out) {
        long offset = 0;
        for (MemoryLayout m : group.memberLayouts()) {
            long at = base + (group instanceof UnionLayout ? 0 : offset);
            offset += m.byteSize();
            if (m instanceof PaddingLayout) {
                continue;
            }
            if (m.name().isEmpty()) {
                if (m instanceof GroupLayout anonymous) {
                    members(type, anonymous, prefix, at, out);
                }
                continue;
            }
            String path = prefix + m.name().get();
            String member = "((" + type + " *) 0)->" + path;
            out.add(new Expectation(type + "." + path + " offset", "offsetof(" + type + ", " + path + ")", at, false));
            out.add(new Expectation(type + "." + path + " size", "sizeof(" + member + ")", m.byteSize(), false));
            if (m instanceof GroupLayout nested) {
                members(type, nested, path + ".", at, out);
            }
        }
    }

    private void addConstants(Class<?> c, CConstants k) {
        List<Expectation> list = group(k.headers());
        for (Field f : c.getFields()) {
            int mod = f.getModifiers();
            if (!Modifier.isStatic(mod) || !Modifier.isFinal(mod) || f.isAnnotationPresent(NotInHeaders.class)) {
                continue;
            }
            if (f.getType() != int.class && f.getType() != long.class) {
                continue;
            }
            CName name = f.getAnnotation(CName.class);
            String expr = name != null ? name.value() : f.getName();
            try {
                long value = f.getType() == int.class ? f.getInt(null) : f.getLong(null);
                list.add(new Expectation(c.getSimpleName() + "." + f.getName(), expr, value, f.getType() == int.class));
            } catch (IllegalAccessException e) {
                problems.add(new Mismatch(c.getName() + "." + f.getName(), "inaccessible", "-"));
            }
        }
    }

    private List<Expectation> group(String[] headers) {
        return byHeaders.computeIfAbsent(String.join(",", headers), h -> new ArrayList<>());
    }

    /** Compiles and runs one C program per header group; returns what differs. */
    public Report run(Path workDir) throws IOException, InterruptedException {
        List<Mismatch> mismatches = new ArrayList<>(problems);
        int checked = 0;
        int n = 0;
        for (Map.Entry<String, List<Expectation>> e : byHeaders.entrySet()) {
            List<Expectation> list = e.getValue();
            Path source = workDir.resolve("check" + n + ".c");
            Path binary = workDir.resolve("check" + n++);
            Files.writeString(source, program(e.getKey().split(","), list));
            String compile = exec(workDir, "gcc", "-std=gnu11", "-w", "-o", binary.toString(), source.toString());
            if (compile != null) {
                mismatches.add(new Mismatch("headers " + e.getKey(), "compiles", "gcc failed:\n" + compile));
                continue;
            }
            Map<String, Long> values = parse(runForOutput(binary));
            for (Expectation x : list) {
                Long c = values.get(x.key());
                checked++;
                if (c == null) {
                    mismatches.add(new Mismatch(x.key(), Long.toString(x.javaValue()), "missing from output"));
                } else if (!matches(x, c)) {
                    mismatches.add(new Mismatch(x.key() + " (" + x.cExpression() + ")", Long.toString(x.javaValue()), Long.toString(c)));
                }
            }
        }
        return new Report(checked, mismatches);
    }

    private static boolean matches(Expectation x, long c) {
        if (x.isInt() && c >= Integer.MIN_VALUE && c <= 0xFFFF_FFFFL) {
            return (int) c == (int) x.javaValue();
        }
        return c == x.javaValue();
    }

    private static String program(String[] headers, List<Expectation> list) {
        StringBuilder b = new StringBuilder("#define _GNU_SOURCE\n");
        for (String h : headers) {
            b.append("#include <").append(h).append(">\n");
        }
        b.append("#include <stdio.h>\n#include <stddef.h>\nint main(void) {\n");
        for (Expectation x : list) {
            b.append("    printf(\"%s\\t%lld\\n\", \"").append(x.key()).append("\", (long long) (")
                    .append(x.cExpression()).append("));\n");
        }
        return b.append("    return 0;\n}\n").toString();
    }

    private static Map<String, Long> parse(String output) {
        Map<String, Long> values = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            int tab = line.lastIndexOf('\t');
            if (tab > 0) {
                values.put(line.substring(0, tab), Long.parseLong(line.substring(tab + 1)));
            }
        }
        return values;
    }

    /** Runs a command; returns null on success or its output on failure. */
    private static String exec(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "timed out";
        }
        return p.exitValue() == 0 ? null : out;
    }

    private static String runForOutput(Path binary) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(binary.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(60, TimeUnit.SECONDS);
        return out;
    }

    /** Every class under {@code packagePrefix} in the class-path entry that holds {@code anchor}. */
    public static List<Class<?>> classesBeside(Class<?> anchor, String packagePrefix) throws IOException {
        Path root;
        try {
            root = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
        if (!Files.isDirectory(root)) {
            throw new IOException("expected a class directory, found " + root);
        }
        Path dir = root.resolve(packagePrefix.replace('.', '/'));
        List<Class<?>> classes = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).sorted().toList()) {
                String name = root.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
                if (name.contains("$") || name.endsWith("package-info")) {
                    continue;
                }
                try {
                    classes.add(Class.forName(name, true, anchor.getClassLoader()));
                } catch (ClassNotFoundException e) {
                    throw new IOException(e);
                }
            }
        }
        return classes;
    }
}
