package dev.bank.processor.query;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.processor.StateRestoreListener;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The partitions whose active task runs on this instance with its stores complete, so their reads go on while the
 * group rebalances around them. Kafka Streams refuses every ordinary store read while any of the instance's tasks is
 * restoring (the stream thread is then not RUNNING): a takeover would make the instance's own, unmoved accounts answer
 * 503 too. Reads here use stale-store queries instead, and this class says which of those are not stale:
 * <ul>
 *   <li>when the instance is RUNNING, every active task has restored and processes: their partitions serve;</li>
 *   <li>a partition stops serving as soon as it is seen to belong elsewhere ({@link #revoked}) or one of its stores
 *       starts restoring (an active task restoring is behind the changelog), and comes back only at the next RUNNING;</li>
 *   <li>any other state (starting, shutting down, failed) serves nothing.</li>
 * </ul>
 * A partition that keeps its active task through a rebalance thus keeps answering, and one that arrives answers once
 * the instance is RUNNING again. Thread-safe: Streams' threads write, query threads read.
 */
public final class ServingPartitions implements StateRestoreListener {
    /** The task partitions of this instance's active tasks, read when Streams turns RUNNING. */
    public interface ActivePartitions {
        Set<Integer> get();
    }

    private final Set<Integer> serving = ConcurrentHashMap.newKeySet();
    private final LongAdder restored = new LongAdder();
    private final ActivePartitions active;

    public ServingPartitions(ActivePartitions active) {
        this.active = active;
    }

    /** From the Streams state listener. */
    public void onStateChange(KafkaStreams.State now) {
        switch (now) {
            case RUNNING -> {
                Set<Integer> current = active.get();
                serving.retainAll(current);
                serving.addAll(current);
            }
            case REBALANCING -> { } // tasks that stay keep running; those that move are dropped as they are seen
            default -> serving.clear();
        }
    }

    /** Whether reads of this partition's stores may be answered here now. */
    public boolean serves(int partition) {
        return serving.contains(partition);
    }

    /** The metadata says another instance owns this partition now (or will, once it is revoked here). */
    public void revoked(int partition) {
        serving.remove(partition);
    }

    public Set<Integer> snapshot() {
        return Set.copyOf(serving);
    }

    @Override
    public void onRestoreStart(TopicPartition changelog, String storeName, long startingOffset, long endingOffset) {
        // a changelog partition is the partition of its task (the stores are co-partitioned with their sources)
        serving.remove(changelog.partition());
    }

    @Override
    public void onBatchRestored(TopicPartition changelog, String storeName, long batchEndOffset, long numRestored) {
        restored.add(numRestored);
    }

    /**
     * Changelog records restored into active tasks since start: a takeover from a warm copy restores next to
     * nothing; a large count means an instance took tasks over cold (their accounts waited meanwhile).
     */
    public long restoredRecords() {
        return restored.sum();
    }

    @Override
    public void onRestoreEnd(TopicPartition changelog, String storeName, long totalRestored) {
    }
}
