package dev.vireo.vmm.guest;

import dev.vireo.vmm.host.HostCommand;
import dev.vireo.vmm.testing.TestGuest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** newc archives written in Java, read back by busybox's cpio (the kernel reads them in VmRunTest). */
class CpioWriterTest {

    @Test
    void busyboxCpioExtractsWhatWasWritten(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] odd = new byte[4097];
        for (int i = 0; i < odd.length; i++) {
            odd[i] = (byte) (i * 31);
        }
        try (CpioWriter cpio = new CpioWriter(out)) {
            cpio.directory("etc", 0755);
            cpio.file("etc/a", 0640, "hello\n".getBytes(StandardCharsets.US_ASCII));
            cpio.file("etc/odd-length-name", 0600, odd);
            cpio.file("empty", 0644, new byte[0]);
            cpio.symlink("link", "etc/a");
        }
        byte[] archive = out.toByteArray();
        assertThat(archive.length % 4).isZero();
        Path file = Files.write(dir.resolve("a.cpio"), archive);
        Path x = Files.createDirectory(dir.resolve("x"));
        HostCommand.Result r = HostCommand.run(List.of(TestGuest.busybox().toString(), "cpio", "-i", "-d", "-F",
                file.toString()), x, null, 30);
        assertThat(r.status()).as(r.output()).isZero();
        assertThat(Files.readString(x.resolve("etc/a"))).isEqualTo("hello\n");
        assertThat(Files.readAllBytes(x.resolve("etc/odd-length-name"))).isEqualTo(odd);
        assertThat(Files.size(x.resolve("empty"))).isZero();
        assertThat(Files.readSymbolicLink(x.resolve("link")).toString()).isEqualTo("etc/a");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(x.resolve("etc/a"), LinkOption.NOFOLLOW_LINKS)))
                .isEqualTo("rw-r-----");
    }

    @Test
    void sameEntriesGiveTheSameBytes() throws Exception {
        assertThat(archive()).isEqualTo(archive());
    }

    private static byte[] archive() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CpioWriter cpio = new CpioWriter(out)) {
            cpio.file("x", 0644, new byte[] {1, 2, 3});
            cpio.charDevice("console", 0600, 5, 1);
        }
        return out.toByteArray();
    }

    @Test
    void refusesBadNames() {
        CpioWriter cpio = new CpioWriter(new ByteArrayOutputStream());
        assertThatThrownBy(() -> cpio.file("/abs", 0644, new byte[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> cpio.file("TRAILER!!!", 0644, new byte[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> {
            cpio.file("dup", 0644, new byte[0]);
            cpio.file("dup", 0644, new byte[0]);
        }).hasMessageContaining("duplicate");
    }
}
