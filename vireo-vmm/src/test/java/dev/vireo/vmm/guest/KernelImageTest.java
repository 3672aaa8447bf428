package dev.vireo.vmm.guest;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vireo.vmm.testing.TestGuest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The bzImage header check (boot.rst), on a real Debian kernel and on made-up headers. */
class KernelImageTest {

    /** A minimal valid header: protocol 2.15, 64-bit, setup_sects 30, a version string at 0x200 + 0x100. */
    static byte[] header() {
        byte[] h = new byte[64 * 1024];
        h[0x1f1] = 30;
        h[0x1fe] = 0x55;
        h[0x1ff] = (byte) 0xaa;
        System.arraycopy("HdrS".getBytes(StandardCharsets.US_ASCII), 0, h, 0x202, 4);
        h[0x206] = 0x0f;
        h[0x207] = 0x02;
        h[0x20e] = 0x00;
        h[0x20f] = 0x01;
        h[0x211] = 0x01;
        h[0x236] = 0x01;
        byte[] v = "6.1.0-test (someone@example) #1 SMP".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(v, 0, h, 0x300, v.length);
        return h;
    }

    @Test
    void debiansCloudKernelIsABzImage() throws Exception {
        GuestKernel k = TestGuest.kernel();
        KernelImage image = KernelImage.read(k.image());
        assertThat(image.protocol()).isGreaterThanOrEqualTo(0x020c);
        assertThat(image.release()).endsWith("-cloud-amd64");
        assertThat(k.image().getFileName().toString()).isEqualTo("vmlinuz-" + image.release());
    }

    @Test
    void readsProtocolAndVersion() throws Exception {
        KernelImage k = KernelImage.parse(header(), 1 << 20);
        assertThat(k.protocolString()).isEqualTo("2.15");
        assertThat(k.release()).isEqualTo("6.1.0-test");
        assertThat(k.setupSectors()).isEqualTo(30);
    }

    @Test
    void refusesWhatIsNoBzImage(@TempDir Path dir) throws Exception {
        byte[] h = header();
        h[0x1fe] = 0;
        assertThatThrownBy(() -> KernelImage.parse(h, 1 << 20)).hasMessageContaining("0xAA55");

        byte[] noHdrS = header();
        noHdrS[0x202] = 'X';
        assertThatThrownBy(() -> KernelImage.parse(noHdrS, 1 << 20)).hasMessageContaining("HdrS");

        byte[] zImage = header();
        zImage[0x211] = 0;
        assertThatThrownBy(() -> KernelImage.parse(zImage, 1 << 20)).hasMessageContaining("zImage");

        byte[] bits32 = header();
        bits32[0x236] = 0;
        assertThatThrownBy(() -> KernelImage.parse(bits32, 1 << 20)).hasMessageContaining("32-bit");

        assertThatThrownBy(() -> KernelImage.parse(header(), 31 * 512)).hasMessageContaining("truncated");
        assertThatThrownBy(() -> KernelImage.parse(new byte[100], 100)).hasMessageContaining("too short");

        Path text = Files.writeString(dir.resolve("passwd"), "root:x:0:0:root:/root:/bin/bash\n".repeat(100));
        assertThatThrownBy(() -> KernelImage.read(text)).isInstanceOf(KernelImage.NotABzImageException.class);
    }

    @Test
    void aVersionPointerOutsideTheSetupIsIgnored() throws Exception {
        byte[] h = header();
        h[0x20e] = (byte) 0xff;
        h[0x20f] = (byte) 0xff;
        assertThat(KernelImage.parse(h, 1 << 20).version()).isEmpty();
    }

    /** Any bytes: a KernelImage or NotABzImageException, nothing else; the version stays printable. */
    @FuzzTest(maxDuration = "10s")
    void anyBytes(byte[] data) {
        byte[] head = data.length >= 0x300 ? data : java.util.Arrays.copyOf(header(), Math.max(data.length, 0x240));
        if (data.length < 0x300) {
            System.arraycopy(data, 0, head, 0x1f0, Math.min(data.length, head.length - 0x1f0));
        }
        try {
            KernelImage k = KernelImage.parse(head, data.length * 997L);
            assertThat(k.version()).doesNotContain("\0").hasSizeLessThanOrEqualTo(256);
            assertThat(k.release()).isNotNull();
        } catch (KernelImage.NotABzImageException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }
}
