package dev.vireo.io.epoll;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TimerHeapTest {

    @Test
    void equalDeadlinesFireInInsertionOrderAndRemovalWorks() {
        TimerHeap h = new TimerHeap(8);
        h.add(5, 100);
        h.add(2, 100);
        h.add(7, 50);
        h.add(1, 100);
        assertThat(h.remove(2)).isTrue();
        assertThat(h.remove(2)).isFalse();
        assertThat(h.poll()).isEqualTo(7);
        assertThat(h.poll()).isEqualTo(5);
        assertThat(h.poll()).isEqualTo(1);
        assertThat(h.size()).isZero();
        assertThatThrownBy(() -> {
            h.add(3, 1);
            h.add(3, 2);
        }).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void deadlinesAreComparedAcrossTheClockWrap() {
        TimerHeap h = new TimerHeap(4);
        h.add(0, Long.MAX_VALUE - 10);
        h.add(1, Long.MIN_VALUE + 10); // 20 ns later, after the wrap
        assertThat(h.poll()).isEqualTo(0);
        assertThat(h.poll()).isEqualTo(1);
    }

    /** Random adds and removes against a sorted reference. */
    @Test
    void agreesWithAReferenceUnderRandomOperations() {
        int capacity = 200;
        TimerHeap h = new TimerHeap(capacity);
        record Entry(int slot, long deadline, long order) {
        }
        TreeSet<Entry> ref = new TreeSet<>(Comparator.comparingLong(Entry::deadline).thenComparingLong(Entry::order));
        Entry[] bySlot = new Entry[capacity];
        Random r = new Random(7);
        long order = 0;
        for (int step = 0; step < 100_000; step++) {
            int slot = r.nextInt(capacity);
            int action = r.nextInt(3);
            if (action == 0 && bySlot[slot] == null) {
                Entry e = new Entry(slot, r.nextInt(1000), order++);
                h.add(slot, e.deadline());
                ref.add(e);
                bySlot[slot] = e;
            } else if (action == 1) {
                assertThat(h.remove(slot)).isEqualTo(bySlot[slot] != null);
                if (bySlot[slot] != null) {
                    ref.remove(bySlot[slot]);
                    bySlot[slot] = null;
                }
            } else if (!ref.isEmpty()) {
                Entry first = ref.pollFirst();
                assertThat(h.firstDeadline()).isEqualTo(first.deadline());
                assertThat(h.poll()).isEqualTo(first.slot());
                bySlot[first.slot()] = null;
            }
            assertThat(h.size()).isEqualTo(ref.size());
        }
        List<Integer> rest = new ArrayList<>();
        while (h.size() > 0) {
            rest.add(h.poll());
        }
        assertThat(rest).containsExactlyElementsOf(ref.stream().map(Entry::slot).toList());
    }
}
