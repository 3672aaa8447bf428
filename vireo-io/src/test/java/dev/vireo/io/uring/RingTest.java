package dev.vireo.io.uring;

import dev.vireo.sys.IoUringCalls;
import dev.vireo.sys.abi.uring.IoUring;
import dev.vireo.sys.abi.uring.IoUringSqe;
import dev.vireo.sys.testing.FdLeakCheck;
import dev.vireo.sys.testing.Requires;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The ring machinery against the kernel, below the engine: setup, SQ/CQ indices, overflow. */
@ExtendWith(FdLeakCheck.class)
class RingTest {

    @BeforeEach
    void needsIoUring() {
        Requires.that(Probe.get().available(), "needs io_uring: " + Probe.get().unavailabilityCause());
    }

    @Test
    void probeFindsWhatTheEngineNeeds() {
        Probe p = Probe.get();
        assertThat(p.hasFeature(IoUring.IORING_FEAT_NODROP)).isTrue();
        for (int op : Probe.REQUIRED_OPS) {
            assertThat(p.supports(op)).as("opcode %d", op).isTrue();
        }
        assertThat(p.supports(IoUring.IORING_OP_STATX)).isTrue();
        assertThat(p.supports(255)).isFalse();
        assertThat(p.supportedOps()).contains("READ", "WRITE", "POLL_ADD", "ASYNC_CANCEL", "LINK_TIMEOUT");
        assertThat(p.describe()).startsWith("io_uring: ").contains("NODROP");
        // This machine runs Linux 6.18: everything optional is there.
        assertThat(p.deferTaskrun()).isTrue();
        assertThat(p.multishotPoll()).isTrue();
    }

    @Test
    void nopsGoRoundTheRingInOrder() {
        try (Ring ring = Ring.create(4, 8, 0, 0)) {
            assertThat(ring.sqEntries()).isEqualTo(4);
            assertThat(ring.cqEntries()).isEqualTo(8);
            SubmissionQueue sq = ring.sq();
            for (int round = 0; round < 5; round++) { // wraps the indices several times
                for (int i = 0; i < 4; i++) {
                    assertThat(sq.hasRoom(1)).isTrue();
                    long at = sq.next();
                    IoUringSqe.prep(sq.sqes(), at, IoUring.IORING_OP_NOP, -1, 0, 0, 0);
                    IoUringSqe.userData(sq.sqes(), at, 100L * round + i);
                }
                assertThat(sq.hasRoom(1)).as("4 entries claimed").isFalse();
                assertThatThrownBy(sq::next).isInstanceOf(IllegalStateException.class);
                int submitted = IoUringCalls.enter(ring.fd(), sq.publish(), 4, IoUring.IORING_ENTER_GETEVENTS);
                assertThat(submitted).isEqualTo(4);
                assertThat(sq.hasRoom(4)).isTrue();
                List<Long> seen = new ArrayList<>();
                ring.cq().drain((ud, res, flags) -> {
                    assertThat(res).isZero();
                    seen.add(ud);
                }, 100);
                assertThat(seen).containsExactly(100L * round, 100L * round + 1, 100L * round + 2, 100L * round + 3);
                assertThat(ring.cq().ready()).isFalse();
            }
        }
    }

    @Test
    void aFullCompletionQueueOverflowsIntoTheKernelAndLosesNothing() {
        try (Ring ring = Ring.create(4, 4, 0, 0)) {
            SubmissionQueue sq = ring.sq();
            for (int batch = 0; batch < 3; batch++) { // 12 completions for a 4-entry CQ, none reaped
                for (int i = 0; i < 4; i++) {
                    long at = sq.next();
                    IoUringSqe.prep(sq.sqes(), at, IoUring.IORING_OP_NOP, -1, 0, 0, 0);
                    IoUringSqe.userData(sq.sqes(), at, batch * 4 + i);
                }
                IoUringCalls.enter(ring.fd(), sq.publish(), 0, 0);
            }
            assertThat(sq.flags(false) & IoUring.IORING_SQ_CQ_OVERFLOW).as("overflow flagged").isNotZero();
            List<Long> seen = new ArrayList<>();
            for (int round = 0; round < 10 && seen.size() < 12; round++) {
                ring.cq().drain((ud, res, flags) -> seen.add(ud), 100);
                IoUringCalls.enter(ring.fd(), 0, 0, IoUring.IORING_ENTER_GETEVENTS); // flushes the overflow list
            }
            assertThat(seen).containsExactlyInAnyOrder(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L);
            assertThat(ring.cq().overflow()).as("dropped").isZero();
            assertThat(sq.flags(false) & IoUring.IORING_SQ_CQ_OVERFLOW).isZero();
        }
    }

    @Test
    void singleMmapIsUsedWhenOffered() {
        try (Ring ring = Ring.create(8, 0, 0, 0)) {
            assertThat(ring.features() & IoUring.IORING_FEAT_SINGLE_MMAP).isNotZero();
            assertThat(ring.cqEntries()).isEqualTo(16); // the kernel's default: twice the SQ
        }
    }

    @Test
    void userDataSeparatesOperationsFromTheEnginesOwnRequests() {
        long token = UserData.token(7, 42);
        assertThat(UserData.isInternal(token)).isFalse();
        assertThat(UserData.slot(token)).isEqualTo(42);
        assertThat(UserData.generation(token)).isEqualTo(7);
        for (long internal : new long[] {UserData.WAKE, UserData.CANCEL, UserData.LINK_TIMEOUT}) {
            assertThat(UserData.isInternal(internal)).isTrue();
        }
        assertThat(UserData.token(Integer.MAX_VALUE, Integer.MAX_VALUE)).isPositive();
        assertThatThrownBy(() -> UserData.token(0, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
