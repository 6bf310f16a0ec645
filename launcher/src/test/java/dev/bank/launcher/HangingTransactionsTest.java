package dev.bank.launcher;

import dev.bank.launcher.HangingTransactions.Verdict;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class HangingTransactionsTest {
    private static final TopicPartition LEDGER_3 = new TopicPartition("bank.ledger", 3);
    private static final long PRODUCER = 7;

    @Test
    void abortsOnlyWhatTheCoordinatorAbortedAtTheNextEpoch() {
        // the shape a kill -9 of bank local left: open at 22 in the partition, "complete abort" at 23 in the coordinator
        assertThat(judge(22, coordinator(TransactionState.COMPLETE_ABORT, 23), true)).isEqualTo(Verdict.ABORTED);
        // committed: the marker lost was a commit, which an abort must not replace
        assertThat(judge(22, coordinator(TransactionState.COMPLETE_COMMIT, 23), true)).isEqualTo(Verdict.UNKNOWN);
        // the producer has gone on to later transactions: this one's outcome is no longer recorded
        assertThat(judge(22, coordinator(TransactionState.COMPLETE_ABORT, 40), true)).isEqualTo(Verdict.UNKNOWN);
        assertThat(judge(22, coordinator(TransactionState.EMPTY, 24), true)).isEqualTo(Verdict.UNKNOWN);
        assertThat(judge(22, coordinator(TransactionState.ONGOING, 24), true)).isEqualTo(Verdict.UNKNOWN);
        // without epoch bumps at the end (transaction version 1) an abort at e + 1 may be a later transaction's
        assertThat(judge(22, coordinator(TransactionState.COMPLETE_ABORT, 23), false)).isEqualTo(Verdict.UNKNOWN);
        // no coordinator record, or one of another producer
        assertThat(HangingTransactions.judge(open(22), null, true)).isEqualTo(Verdict.UNKNOWN);
        assertThat(HangingTransactions.judge(open(22), new TransactionDescription(1,
                TransactionState.COMPLETE_ABORT, PRODUCER + 1, 23, 10_000, OptionalLong.empty(), Set.of()), true))
                .isEqualTo(Verdict.UNKNOWN);
    }

    @Test
    void waitsForWhatTheCoordinatorIsStillEnding() {
        assertThat(judge(22, coordinator(TransactionState.ONGOING, 22), true)).isEqualTo(Verdict.IN_PROGRESS);
        assertThat(judge(22, coordinator(TransactionState.PREPARE_ABORT, 23), true)).isEqualTo(Verdict.IN_PROGRESS);
        assertThat(judge(22, coordinator(TransactionState.PREPARE_COMMIT, 23), true)).isEqualTo(Verdict.IN_PROGRESS);
        assertThat(judge(22, coordinator(TransactionState.PREPARE_ABORT, 22), false)).isEqualTo(Verdict.IN_PROGRESS);
    }

    @Property
    void neverAbortsWhatTheCoordinatorDidNotAbort(@ForAll @IntRange(max = 32_000) int openEpoch,
                                                  @ForAll @IntRange(max = 32_766) int coordinatorEpoch,
                                                  @ForAll TransactionState state, @ForAll boolean epochBumpsAtEnd) {
        Verdict verdict = judge(openEpoch, coordinator(state, coordinatorEpoch), epochBumpsAtEnd);
        if (verdict == Verdict.ABORTED) {
            assertThat(state).isEqualTo(TransactionState.COMPLETE_ABORT);
            assertThat(coordinatorEpoch).isEqualTo(openEpoch + 1);
            assertThat(epochBumpsAtEnd).isTrue();
        }
    }

    private static Verdict judge(int openEpoch, TransactionDescription coordinator, boolean epochBumpsAtEnd) {
        return HangingTransactions.judge(open(openEpoch), coordinator, epochBumpsAtEnd);
    }

    private static ProducerState open(int epoch) {
        return new ProducerState(PRODUCER, epoch, 0, 1_795_884_003_279L, OptionalInt.of(0), OptionalLong.of(4));
    }

    private static TransactionDescription coordinator(TransactionState state, int epoch) {
        return new TransactionDescription(1, state, PRODUCER, epoch, 10_000, OptionalLong.of(1_795_884_003_385L),
                state == TransactionState.ONGOING ? Set.of(LEDGER_3) : Set.of());
    }
}
