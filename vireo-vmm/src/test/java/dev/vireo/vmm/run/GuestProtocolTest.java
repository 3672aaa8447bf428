package dev.vireo.vmm.run;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Parsing the guest's control-port lines: only well-formed lines with this run's nonce count. */
class GuestProtocolTest {

    private static final String NONCE = "0123456789abcdef0123456789abcdef";
    private final GuestProtocol p = new GuestProtocol(NONCE);

    @Test
    void wellFormedLines() {
        assertThat(p.parse("vireo:" + NONCE + ":exit:0")).isEqualTo(new GuestProtocol.Exit(0));
        assertThat(p.parse("[  2.1] junk vireo:" + NONCE + ":exit:255 ")).isEqualTo(new GuestProtocol.Exit(255));
        assertThat(p.parse("vireo:" + NONCE + ":stdin")).isEqualTo(new GuestProtocol.StdinReady());
        assertThat(p.parse("vireo:" + NONCE + ":error:cannot mount\u0007 x"))
                .isEqualTo(new GuestProtocol.SetupError("cannot mount? x"));
    }

    @Test
    void forgedOrMalformedLinesAreKernelOutput() {
        assertThat(p.parse("vireo:ffffffffffffffffffffffffffffffff:exit:0")).isNull();
        assertThat(p.parse("vireo:" + NONCE + ":exit:256")).isNull();
        assertThat(p.parse("vireo:" + NONCE + ":exit:-1")).isNull();
        assertThat(p.parse("vireo:" + NONCE + ":exit:")).isNull();
        assertThat(p.parse("vireo:" + NONCE + ":exit:0007")).isNull();
        assertThat(p.parse("vireo:" + NONCE + ":exit:1e2")).isNull();
        assertThat(p.parse("vireo:" + NONCE + ":reboot")).isNull();
        assertThat(p.parse("Kernel panic - not syncing")).isNull();
    }

    @Test
    void noncesAreFreshAndWellFormed() {
        String a = GuestProtocol.newNonce();
        assertThat(a).matches("[0-9a-f]{32}").isNotEqualTo(GuestProtocol.newNonce());
    }

    /** Any line: null or an event within the protocol's ranges. */
    @FuzzTest(maxDuration = "10s")
    void anyLine(byte[] data) {
        String line = new String(data, StandardCharsets.ISO_8859_1);
        for (String l : new String[] {line, "vireo:" + NONCE + ":" + line}) {
            switch (p.parse(l)) {
                case null -> { }
                case GuestProtocol.Exit e -> assertThat(e.status()).isBetween(0, 255);
                case GuestProtocol.SetupError e -> assertThat(e.message()).hasSizeLessThanOrEqualTo(1000).doesNotContain("\n");
                case GuestProtocol.StdinReady r -> { }
            }
        }
    }
}
