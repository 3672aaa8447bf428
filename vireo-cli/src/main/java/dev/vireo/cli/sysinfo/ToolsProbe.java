package dev.vireo.cli.sysinfo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** The external programs vireo works with, and whether they are installed. */
public final class ToolsProbe {

    private ToolsProbe() {
    }

    public static Section probe() {
        Section s = new Section("Tools");
        s.add("qemu-system-x86_64", version("qemu-system-x86_64", "--version", "missing (apt-get install qemu-system-x86)"));
        Path virtiofsd = Path.of("/usr/lib/qemu/virtiofsd");
        s.add("virtiofsd (C)", Files.isExecutable(virtiofsd) ? virtiofsd : "missing (comes with qemu-system-common)");
        s.add("gcc", version("gcc", "--version", "missing (needed by the header-check tests)"));
        return s;
    }

    private static String version(String command, String flag, String ifMissing) {
        try {
            Process p = new ProcessBuilder(command, flag).redirectErrorStream(true).start();
            String first = new String(p.getInputStream().readAllBytes()).lines().findFirst().orElse("");
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "no answer to " + flag;
            }
            return p.exitValue() == 0 ? first : ifMissing;
        } catch (IOException e) {
            return ifMissing;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
