package dev.bank.notifier;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** The commit tracker's promise: a committed offset never passes an event some delivery of which is not done. */
class CommitTrackerTest {
    private static final TopicPartition P0 = new TopicPartition("bank.account-events", 0);
    private static final TopicPartition P1 = new TopicPartition("bank.account-events", 1);

    @Property(tries = 500)
    void theCommittedOffsetNeverPassesAnUndoneEventWhateverOrderCompletionsComeIn(
            @ForAll @IntRange(min = 1, max = 60) int records, @ForAll long seed) {
        Random random = new Random(seed);
        CommitTracker tracker = new CommitTracker();
        // records at increasing offsets with gaps (transaction markers), each given to 0-3 subscriptions
        Map<TopicPartition, TreeMap<Long, Integer>> undone = Map.of(P0, new TreeMap<>(), P1, new TreeMap<>());
        Map<TopicPartition, Long> next = new java.util.HashMap<>(Map.of(P0, 0L, P1, 0L));
        List<long[]> completions = new ArrayList<>(); // {partition, offset}
        Map<TopicPartition, Long> committed = new java.util.HashMap<>(Map.of(P0, 0L, P1, 0L));
        for (int i = 0; i < records; i++) {
            TopicPartition tp = random.nextBoolean() ? P0 : P1;
            long offset = next.get(tp) + random.nextInt(3);
            next.put(tp, offset + 1);
            int deliveries = random.nextInt(4);
            tracker.received(tp, offset, deliveries);
            if (deliveries > 0) undone.get(tp).put(offset, deliveries);
            for (int d = 0; d < deliveries; d++) completions.add(new long[] {tp.partition(), offset});
            // now and then some completions arrive, in any order, and a commit happens
            Collections.shuffle(completions, random);
            for (int k = random.nextInt(3); k > 0 && !completions.isEmpty(); k--) {
                complete(tracker, undone, completions.remove(completions.size() - 1));
            }
            commit(tracker, undone, committed);
        }
        Collections.shuffle(completions, random);
        while (!completions.isEmpty()) {
            complete(tracker, undone, completions.remove(completions.size() - 1));
            commit(tracker, undone, committed);
        }
        // once all is done, everything read is committed
        commit(tracker, undone, committed);
        assertThat(committed.get(P0)).isEqualTo(next.get(P0));
        assertThat(committed.get(P1)).isEqualTo(next.get(P1));
        assertThat(tracker.pending()).isZero();
    }

    private static void complete(CommitTracker tracker, Map<TopicPartition, TreeMap<Long, Integer>> undone, long[] c) {
        TopicPartition tp = c[0] == 0 ? P0 : P1;
        tracker.done(tp, c[1]);
        undone.get(tp).merge(c[1], -1, (a, b) -> a + b == 0 ? null : a + b);
    }

    private static void commit(CommitTracker tracker, Map<TopicPartition, TreeMap<Long, Integer>> undone,
                               Map<TopicPartition, Long> committed) {
        Map<TopicPartition, Long> offsets = tracker.committable();
        offsets.forEach((tp, offset) -> {
            assertThat(offset).as("commits never go back").isGreaterThanOrEqualTo(committed.get(tp));
            if (!undone.get(tp).isEmpty()) {
                assertThat(offset).as("committed past an undone event of %s", tp)
                        .isLessThanOrEqualTo(undone.get(tp).firstKey());
            }
            committed.put(tp, offset);
        });
        tracker.committed(offsets);
    }

    @Test
    void aSlowDeliveryHoldsTheCommitAndDoneOnesBehindItDoNot() {
        CommitTracker tracker = new CommitTracker();
        tracker.received(P0, 10, 1);
        tracker.received(P0, 11, 2);
        tracker.received(P0, 12, 0);
        tracker.done(P0, 11);
        tracker.done(P0, 11);
        assertThat(tracker.committable()).containsEntry(P0, 10L);
        tracker.committed(Map.of(P0, 10L));
        assertThat(tracker.committable()).as("nothing moved").isEmpty();
        tracker.done(P0, 10);
        assertThat(tracker.committable()).containsEntry(P0, 13L);
        tracker.revoke(java.util.List.of(P0));
        tracker.done(P0, 12); // a late completion for a partition gone elsewhere is ignored
        assertThat(tracker.committable()).isEmpty();
    }

    @Provide
    Arbitrary<Integer> unused() {
        return Arbitraries.just(0);
    }
}
