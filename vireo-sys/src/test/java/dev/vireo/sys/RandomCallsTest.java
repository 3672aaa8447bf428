package dev.vireo.sys;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** getrandom(2) through {@link RandomCalls}: hex strings of the length asked for, never the same twice. */
class RandomCallsTest {

    @Test
    void hexHasTwoDigitsPerByteAndDiffersEachTime() {
        String a = RandomCalls.hex(16);
        String b = RandomCalls.hex(16);
        assertThat(a).hasSize(32).matches("[0-9a-f]{32}");
        assertThat(b).hasSize(32).isNotEqualTo(a);
        // Over 256 bytes getrandom may return fewer than asked for: the loop fills the rest.
        assertThat(RandomCalls.hex(1000)).hasSize(2000).matches("[0-9a-f]+").isNotEqualTo("0".repeat(2000));
    }
}
