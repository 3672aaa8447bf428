package dev.vireo.sys;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;

import static org.assertj.core.api.Assertions.assertThat;

class LogTest {

    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    @AfterEach
    void restore() {
        Log.redirect(System.err);
    }

    @Test
    void debugIsOffUnlessItsAreaIsEnabled() {
        Log.redirect(new PrintStream(captured, true));
        Log log = Log.of("some-area-never-enabled");
        assertThat(log.on()).isFalse();
        log.debug("invisible %s", "x");
        assertThat(captured.size()).isZero();
    }

    @Test
    void warningsAreRateLimitedAndCountWhatTheyHeldBack() throws Exception {
        Log.redirect(new PrintStream(captured, true));
        Log log = Log.of("flood");
        for (int i = 0; i < 1000; i++) {
            log.warn("bad request %d", i);
        }
        String out = captured.toString();
        assertThat(out.lines().count()).isEqualTo(Log.WARN_BURST);
        assertThat(out).contains("[vireo flood warning").contains("bad request 0");
        Thread.sleep(1100);
        log.warn("after the window");
        assertThat(captured.toString()).contains("after the window (990 similar warnings suppressed)");
    }
}
