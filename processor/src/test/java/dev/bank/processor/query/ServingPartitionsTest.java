package dev.bank.processor.query;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams.State;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ServingPartitionsTest {
    private final Set<Integer> active = new HashSet<>(Set.of(0, 2, 4));
    private final ServingPartitions serving = new ServingPartitions(() -> Set.copyOf(active));

    @Test
    void nothingServesUntilTheFirstRunning() {
        serving.onStateChange(State.REBALANCING);
        assertThat(serving.snapshot()).isEmpty();
        serving.onStateChange(State.RUNNING);
        assertThat(serving.snapshot()).containsExactlyInAnyOrder(0, 2, 4);
    }

    @Test
    void partitionsThatStayKeepServingThroughARebalanceAndArrivalsWaitForTheNextRunning() {
        serving.onStateChange(State.RUNNING);
        // a takeover: partitions 1 and 3 arrive and restore while 0, 2, 4 go on
        serving.onStateChange(State.REBALANCING);
        active.addAll(Set.of(1, 3));
        serving.onRestoreStart(new TopicPartition("bank-processor-accounts-changelog", 1), "accounts", 0, 10);
        assertThat(serving.serves(0)).isTrue();
        assertThat(serving.serves(1)).isFalse();
        serving.onStateChange(State.RUNNING);
        assertThat(serving.snapshot()).containsExactlyInAnyOrder(0, 1, 2, 3, 4);
    }

    @Test
    void aPartitionSeenElsewhereOrRestoringStopsServingAtOnce() {
        serving.onStateChange(State.RUNNING);
        serving.onStateChange(State.REBALANCING);
        serving.revoked(2);
        serving.onRestoreStart(new TopicPartition("bank-processor-history-changelog", 4), "history", 5, 9);
        assertThat(serving.snapshot()).containsExactly(0);
        serving.onBatchRestored(new TopicPartition("bank-processor-history-changelog", 4), "history", 9, 4);
        assertThat(serving.restoredRecords()).isEqualTo(4);
    }

    @Test
    void aRunningThatLostPartitionsForgetsThem() {
        serving.onStateChange(State.RUNNING);
        active.remove(4);
        serving.onStateChange(State.REBALANCING);
        serving.onStateChange(State.RUNNING);
        assertThat(serving.snapshot()).containsExactlyInAnyOrder(0, 2);
    }

    @Test
    void stoppingOrFailingServesNothing() {
        serving.onStateChange(State.RUNNING);
        serving.onStateChange(State.PENDING_SHUTDOWN);
        assertThat(serving.snapshot()).isEmpty();
        serving.onStateChange(State.RUNNING);
        serving.onStateChange(State.ERROR);
        assertThat(serving.snapshot()).isEmpty();
    }
}
