package dev.vireo.vmm.host;

import dev.vireo.sys.ThreadCalls;

import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;

/**
 * Installing a host package vireo needs (QEMU) when it is missing: only as root, only with apt,
 * and not when {@code VIREO_NO_INSTALL} is set; otherwise the caller says what to install.
 */
public final class HostPackages {

    private HostPackages() {
    }

    /** Whether vireo may install packages here. */
    public static boolean installAllowed() {
        String no = System.getenv("VIREO_NO_INSTALL");
        return ThreadCalls.geteuid() == 0 && HostCommand.find("apt-get") != null && (no == null || no.isBlank());
    }

    /**
     * {@code apt-get install} of {@code pkg} (refreshing the package lists first if apt does not
     * know it); progress lines go to {@code progress}. Returns whether it succeeded.
     */
    public static boolean install(String pkg, Consumer<String> progress) throws IOException {
        progress.accept("vireo: installing " + pkg + " (apt-get install; set VIREO_NO_INSTALL=1 to be asked instead)");
        List<String> cmd = List.of("env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-q",
                "--no-install-recommends", pkg);
        HostCommand.Result r = HostCommand.run(cmd, null, s -> progress.accept("  " + s), 1800);
        if (!r.ok() && (r.output().contains("Unable to locate package") || r.output().contains("has no installation candidate"))) {
            HostCommand.run(List.of("apt-get", "update", "-q"), null, s -> progress.accept("  " + s), 900);
            r = HostCommand.run(cmd, null, s -> progress.accept("  " + s), 1800);
        }
        return r.ok();
    }
}
