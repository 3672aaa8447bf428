package dev.vireo.vmm.guest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A kernel's module directory ({@code /lib/modules/RELEASE}): which modules exist, which are built
 * in, and in which order a set of modules must be loaded so that each one's dependencies come first.
 *
 * <p>Dependencies come from {@code modules.dep} when depmod wrote one (a host's installed kernel),
 * else from each module's own {@code .modinfo} (a kernel package vireo extracted, which has none).
 */
public final class KernelModules {

    /** A module to load: its name and file. */
    public record Module(String name, Path file) {
    }

    /** A module that is needed but neither built in nor present. */
    public static final class MissingModuleException extends Exception {
        public MissingModuleException(String message) {
            super(message);
        }
    }

    private final Path dir;
    private final Map<String, Path> files;
    private final Set<String> builtin;
    private final Map<String, ModulesDep.Entry> dep;

    private KernelModules(Path dir, Map<String, Path> files, Set<String> builtin, Map<String, ModulesDep.Entry> dep) {
        this.dir = dir;
        this.files = files;
        this.builtin = builtin;
        this.dep = dep;
    }

    /** Indexes the module directory {@code dir} (its .ko files, modules.builtin and modules.dep if present). */
    public static KernelModules open(Path dir) throws IOException, ModulesDep.BadModulesDepException {
        Map<String, Path> files = new HashMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.filter(Files::isRegularFile).forEach(p -> {
                String name = nameOf(p.getFileName().toString());
                if (name != null) {
                    files.putIfAbsent(name, p);
                }
            });
        }
        Set<String> builtin = new HashSet<>();
        Path builtinList = dir.resolve("modules.builtin");
        if (Files.isRegularFile(builtinList)) {
            for (String line : Files.readAllLines(builtinList)) {
                String name = nameOf(line.strip());
                if (name != null) {
                    builtin.add(name);
                }
            }
        }
        Path depFile = dir.resolve("modules.dep");
        Map<String, ModulesDep.Entry> dep = Files.isRegularFile(depFile)
                ? ModulesDep.parse(Files.readString(depFile)) : Map.of();
        return new KernelModules(dir, files, builtin, dep);
    }

    /** The module directory. */
    public Path dir() {
        return dir;
    }

    /** Whether {@code name} is compiled into the kernel. */
    public boolean isBuiltin(String name) {
        return builtin.contains(canonical(name));
    }

    /** Whether {@code name} is built in or present as a module file. */
    public boolean has(String name) {
        String n = canonical(name);
        return builtin.contains(n) || files.containsKey(n) || dep.containsKey(n);
    }

    /**
     * Whether the kernel's virtio-mmio driver binds devices described in ACPI (the {@code LNRO0005}
     * id QEMU's microvm machine uses): only then can a guest on microvm find its devices, since
     * Debian's kernels lack {@code CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES}.
     */
    public boolean virtioMmioOverAcpi() {
        if (isBuiltin("virtio_mmio")) {
            Path info = dir.resolve("modules.builtin.modinfo");
            try {
                return Files.isRegularFile(info)
                        && new String(Files.readAllBytes(info), java.nio.charset.StandardCharsets.ISO_8859_1)
                                .contains("virtio_mmio.alias=acpi*:LNRO0005:*");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Path ko = file("virtio_mmio");
        if (ko == null || !ko.getFileName().toString().endsWith(".ko")) {
            return false;
        }
        try {
            return ElfModInfo.parse(Files.readAllBytes(ko)).values("alias").contains("acpi*:LNRO0005:*");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ElfModInfo.BadModuleException e) {
            return false;
        }
    }

    /**
     * The modules to load for {@code wanted}, dependencies first, each once; built-in ones are left
     * out. Names in {@code optional} are skipped silently when absent (a kernel may lack a driver
     * that is only needed for a device the run does not use).
     */
    public List<Module> resolve(List<String> wanted) throws MissingModuleException, IOException {
        LinkedHashSet<String> order = new LinkedHashSet<>();
        for (String w : wanted) {
            visit(canonical(w), order, new HashSet<>(), w);
        }
        List<Module> out = new ArrayList<>();
        for (String name : order) {
            out.add(new Module(name, file(name)));
        }
        return out;
    }

    private void visit(String name, LinkedHashSet<String> order, Set<String> path, String wantedBy)
            throws MissingModuleException, IOException {
        if (order.contains(name) || builtin.contains(name)) {
            return;
        }
        if (!path.add(name)) {
            throw new MissingModuleException("module dependency cycle through " + name);
        }
        Path file = file(name);
        if (file == null) {
            throw new MissingModuleException("the kernel has no module " + name + (name.equals(wantedBy) ? ""
                    : " (needed by " + wantedBy + ")") + " in " + dir + ", and it is not built in");
        }
        for (String d : dependencies(name, file)) {
            visit(d, order, path, name);
        }
        path.remove(name);
        order.add(name);
    }

    private List<String> dependencies(String name, Path file) throws IOException, MissingModuleException {
        ModulesDep.Entry e = dep.get(name);
        if (e != null) {
            List<String> out = new ArrayList<>();
            for (String p : e.depends()) {
                out.add(nameOf(p));
            }
            return out;
        }
        if (!file.getFileName().toString().endsWith(".ko")) {
            throw new MissingModuleException("module " + name + " is compressed (" + file.getFileName()
                    + ") and the directory has no modules.dep to tell its dependencies; run depmod, or "
                    + "give --modules a directory of uncompressed .ko files");
        }
        try {
            return ElfModInfo.parse(Files.readAllBytes(file)).depends();
        } catch (ElfModInfo.BadModuleException ex) {
            throw new MissingModuleException("module " + file + ": " + ex.getMessage());
        }
    }

    private Path file(String name) {
        ModulesDep.Entry e = dep.get(name);
        if (e != null) {
            Path p = dir.resolve(e.path());
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return files.get(name);
    }

    /** A module's name from its file name or path ("kernel/fs/fuse/virtiofs.ko.xz" gives "virtiofs"), or null. */
    public static String nameOf(String path) {
        String base = path.substring(path.lastIndexOf('/') + 1);
        for (String ext : new String[] {".ko", ".ko.xz", ".ko.zst", ".ko.gz"}) {
            if (base.endsWith(ext) && base.length() > ext.length()) {
                return canonical(base.substring(0, base.length() - ext.length()));
            }
        }
        return null;
    }

    /** The kernel treats '-' and '_' in module names alike; vireo uses '_'. */
    public static String canonical(String name) {
        return name.replace('-', '_');
    }
}
