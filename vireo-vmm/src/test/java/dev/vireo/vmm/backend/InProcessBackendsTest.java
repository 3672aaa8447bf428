package dev.vireo.vmm.backend;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatCode;

class InProcessBackendsTest {

    /** A holder renamed or removed in vireo-sys must fail here, not silently slow down every start. */
    @Test
    void everyCallLinkedAheadExists() {
        assertThatCode(InProcessBackends::linkDeviceCalls).doesNotThrowAnyException();
    }
}
