package dev.vireo.sys.abi;

import dev.vireo.sys.Errno;
import dev.vireo.sys.Native;
import dev.vireo.sys.testing.HeaderCheck;
import dev.vireo.sys.testing.Requires;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every struct layout, constant and errno value of vireo-sys against the installed C headers
 * (linux-libc-dev and glibc), compiled with gcc: kvm-bindings' compile-time assertions, as a test.
 */
class HeaderCheckTest {

    @Test
    void layoutsAndConstantsMatchTheKernelHeaders(@TempDir Path work) throws Exception {
        Requires.command("gcc");
        Requires.file("/usr/include/linux/kvm.h", "kernel uapi headers, package linux-libc-dev");

        List<Class<?>> classes = HeaderCheck.classesBeside(Native.class, "dev.vireo.sys");
        List<Class<?>> annotated = classes.stream()
                .filter(c -> c.isAnnotationPresent(CStruct.class) || c.isAnnotationPresent(CConstants.class))
                .toList();
        // Every struct class of the abi packages must be checked.
        List<String> unchecked = classes.stream()
                .filter(c -> c.getPackageName().startsWith("dev.vireo.sys.abi"))
                .filter(c -> hasLayout(c) && !c.isAnnotationPresent(CStruct.class))
                .map(Class::getName)
                .toList();
        assertThat(unchecked).as("struct classes without @CStruct").isEmpty();

        HeaderCheck.Report report = new HeaderCheck().add(annotated).run(work);
        System.out.printf("header check: %d values from %d classes compared with the C headers%n",
                report.checked(), annotated.size());
        assertThat(report.mismatches()).as("differences from the C headers").isEmpty();
        assertThat(report.checked()).isGreaterThan(1000);
    }

    @Test
    void errnoValuesMatchTheKernelHeaders(@TempDir Path work) throws Exception {
        Requires.command("gcc");
        StringBuilder c = new StringBuilder("#include <errno.h>\n#include <stdio.h>\nint main(void) {\n");
        for (Errno e : Errno.values()) {
            c.append("printf(\"%d\\n\", ").append(e.name()).append(");\n");
        }
        c.append("return 0;\n}\n");
        Files.writeString(work.resolve("errno.c"), c);
        Process gcc = new ProcessBuilder("gcc", "-o", "errno", "errno.c").directory(work.toFile()).inheritIO().start();
        assertThat(gcc.waitFor()).isZero();
        Process run = new ProcessBuilder(work.resolve("errno").toString()).start();
        String[] lines = new String(run.getInputStream().readAllBytes()).trim().split("\n");
        assertThat(lines).hasSize(Errno.values().length);
        for (int i = 0; i < lines.length; i++) {
            assertThat(Integer.parseInt(lines[i])).as(Errno.values()[i].name()).isEqualTo(Errno.values()[i].code());
        }
    }

    private static boolean hasLayout(Class<?> c) {
        try {
            c.getField("LAYOUT");
            return true;
        } catch (NoSuchFieldException e) {
            return false;
        }
    }
}
