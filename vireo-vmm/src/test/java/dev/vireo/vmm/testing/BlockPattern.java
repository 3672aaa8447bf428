package dev.vireo.vmm.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The block-device check the QEMU tests share: the guest writes 1 MiB of numbered lines at 4 MiB
 * of /dev/vda through the page cache with fsync, reads it back uncached and compares; it reads the
 * label of a read-only /dev/vdb and tries to write it. Numbered lines make a sector written to the
 * wrong place fail the comparison; the host then finds the same bytes in the image.
 */
public final class BlockPattern {

    /** The first bytes of the read-only image, which the guest prints. */
    private static final String LABEL = "read-only image";
    /** What the guest prints when all went well (and never "ro-written"). */
    public static final String[] GUEST_SAYS = {"pattern-ok", LABEL, "ro-refused"};

    private BlockPattern() {
    }

    /** The guest's shell commands, joined with "; ". */
    public static String guestScript() {
        return String.join("; ",
                "seq -w 1 200000 | head -c 1048576 > /tmp/pattern",
                "dd if=/tmp/pattern of=/dev/vda bs=65536 seek=64 conv=fsync 2>/dev/null",
                "echo 3 > /proc/sys/vm/drop_caches",
                "dd if=/dev/vda bs=65536 skip=64 count=16 2>/dev/null | cmp - /tmp/pattern && echo pattern-ok",
                "head -c 15 /dev/vdb; echo",
                "if dd if=/tmp/pattern of=/dev/vdb bs=4096 count=1 conv=fsync 2>/dev/null; then echo ro-written; else echo ro-refused; fi");
    }

    /** A zeroed 16 MiB image for /dev/vda. */
    public static Path writableImage(Path file) throws IOException {
        return Files.write(file, new byte[16 << 20]);
    }

    /** A 1 MiB image for /dev/vdb that starts with the label the guest prints. */
    public static Path readOnlyImage(Path file) throws IOException {
        Files.write(file, LABEL.getBytes(StandardCharsets.US_ASCII));
        return Files.write(file, new byte[1 << 20], StandardOpenOption.APPEND);
    }

    /** Checks both images on the host after the guest ran {@link #guestScript()}. */
    public static void assertOnHost(Path writable, Path readOnly, String what) throws IOException {
        StringBuilder expected = new StringBuilder();
        for (int i = 1; expected.length() < 1 << 20; i++) {
            expected.append("%06d\n".formatted(i));
        }
        byte[] onHost = Arrays.copyOfRange(Files.readAllBytes(writable), 4 << 20, 5 << 20);
        assertThat(onHost).as(what + ": the pattern on the host image")
                .isEqualTo(expected.substring(0, 1 << 20).getBytes(StandardCharsets.US_ASCII));
        assertThat(new String(Files.readAllBytes(readOnly), 0, 15, StandardCharsets.US_ASCII)).as(what).isEqualTo(LABEL);
    }
}
