package dev.bank.notifier;

import org.apache.kafka.common.TopicPartition;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which offsets of the account events may be committed: per partition, up to the lowest offset not yet done for every
 * subscription it was given to (delivered, dead-lettered, or dropped because its subscription went away). A record
 * that no subscription wants is done when read. So after a crash the notifier resumes at the oldest event some
 * endpoint has not had: nothing is lost, and what is sent again carries the same {@code webhook-id}.
 *
 * <p>Completions arrive in any order from the delivery threads (one slow endpoint must not hold the others' queues),
 * which is why a committed offset is the low-water mark and not the last done. Thread-safe.
 */
public final class CommitTracker {
    private static final class Partition {
        /** Offset to commit when nothing is pending: after the highest received. */
        long next = -1;
        /** Offset → deliveries of it not yet done. */
        final TreeMap<Long, Integer> pending = new TreeMap<>();
        long committed = -1;

        long committable() {
            return pending.isEmpty() ? next : pending.firstKey();
        }
    }

    private final Map<TopicPartition, Partition> partitions = new HashMap<>();

    /** A record read at {@code offset}, given to {@code deliveries} subscriptions (0: done at once). */
    public synchronized void received(TopicPartition tp, long offset, int deliveries) {
        Partition p = partitions.computeIfAbsent(tp, k -> new Partition());
        p.next = Math.max(p.next, offset + 1);
        if (deliveries > 0) p.pending.merge(offset, deliveries, Integer::sum);
    }

    /** One delivery of the record at {@code offset} is done; ignored for a partition no longer held. */
    public synchronized void done(TopicPartition tp, long offset) {
        Partition p = partitions.get(tp);
        if (p == null) return;
        Integer left = p.pending.get(offset);
        if (left == null) return;
        if (left <= 1) p.pending.remove(offset);
        else p.pending.put(offset, left - 1);
    }

    /** The offsets to commit: per partition, the low-water mark, where it moved since the last {@link #committed}. */
    public synchronized Map<TopicPartition, Long> committable() {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        partitions.forEach((tp, p) -> {
            long offset = p.committable();
            if (offset > p.committed) offsets.put(tp, offset);
        });
        return offsets;
    }

    /** Those offsets were committed. */
    public synchronized void committed(Map<TopicPartition, Long> offsets) {
        offsets.forEach((tp, offset) -> {
            Partition p = partitions.get(tp);
            if (p != null) p.committed = Math.max(p.committed, offset);
        });
    }

    /** The partitions went to another instance (or were lost): forget them. */
    public synchronized void revoke(Collection<TopicPartition> gone) {
        gone.forEach(partitions::remove);
    }

    /** Deliveries not yet done, over every partition. */
    public synchronized int pending() {
        return partitions.values().stream().mapToInt(p -> p.pending.values().stream().mapToInt(i -> i).sum()).sum();
    }

    /** Records read but not yet committable, over every partition: how far the commits lag what was read. */
    public synchronized long uncommitted() {
        return partitions.values().stream().mapToLong(p -> Math.max(0, p.next - p.committable())).sum();
    }
}
