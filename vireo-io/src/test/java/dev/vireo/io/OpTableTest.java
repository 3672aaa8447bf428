package dev.vireo.io;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class OpTableTest {

    private final Op a = new Op((op, r) -> { });
    private final Op b = new Op((op, r) -> { });

    @Test
    void aTokenFindsItsOpUntilTheSlotIsFreed() {
        OpTable t = new OpTable(4);
        int slot = t.acquire(a);
        long token = t.token(slot);
        assertThat(t.lookup(token)).isSameAs(a);
        t.release(slot);
        assertThat(t.lookup(token)).as("stale after release").isNull();
    }

    @Test
    void aReusedSlotGetsANewGenerationSoStaleTokensMiss() {
        OpTable t = new OpTable(1);
        int slot = t.acquire(a);
        long old = t.token(slot);
        t.release(slot);
        assertThat(t.acquire(b)).isEqualTo(slot);
        long fresh = t.token(slot);
        assertThat(fresh).isNotEqualTo(old);
        assertThat(OpTable.slot(fresh)).isEqualTo(OpTable.slot(old));
        assertThat(t.lookup(old)).as("a late completion for the earlier occupant").isNull();
        assertThat(t.lookup(fresh)).isSameAs(b);
    }

    @Test
    void tokensAreNeverNegativeAndMalformedOnesMiss() {
        OpTable t = new OpTable(2);
        for (int i = 0; i < 10_000; i++) {
            int slot = t.acquire(a);
            assertThat(t.token(slot)).isPositive();
            t.release(slot);
        }
        int slot = t.acquire(a);
        assertThat(t.lookup(-1L)).isNull();
        assertThat(t.lookup(Long.MIN_VALUE | t.token(slot))).isNull();
        assertThat(t.lookup(t.token(slot) + 7)).as("slot out of range").isNull();
        assertThat(t.lookup(0)).as("generation 0 is never issued").isNull();
    }

    @Test
    void fullTableRefusesAndCountsWhatIsInUse() {
        OpTable t = new OpTable(3);
        Set<Integer> slots = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            slots.add(t.acquire(a));
        }
        assertThat(slots).containsExactlyInAnyOrder(0, 1, 2);
        assertThat(t.acquire(b)).isEqualTo(-1);
        assertThat(t.inUse()).isEqualTo(3);
        t.release(1);
        assertThat(t.inUse()).isEqualTo(2);
        assertThat(t.acquire(b)).isEqualTo(1);
        assertThat(t.at(1)).isSameAs(b);
    }
}
