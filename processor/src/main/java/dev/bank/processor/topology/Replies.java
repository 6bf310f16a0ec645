package dev.bank.processor.topology;

import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.processor.StreamPartitioner;

import java.util.Optional;
import java.util.Set;

/**
 * The replies sink: an outcome that answers a gateway's command goes, besides the results topic, to the partition of
 * the replies topic that the command named ({@link dev.bank.schemas.WireHeaders#REPLY_PARTITION}), where only that
 * gateway instance reads. A sink of the topology like the others, so the reply commits in the task's transaction.
 *
 * <p>A {@link StreamPartitioner} sees only a record's key and value, not its headers, so the key carries the partition:
 * an {@link Address}, written to the topic as the accountId alone (what the results topic's records are keyed by).
 */
final class Replies {
    private Replies() {}

    /**
     * Where a reply goes. {@code partition} was checked by {@link DecisionWriter} against the replies topic's partition
     * count as read at start-up: the producer would wait for a partition that does not exist and then fail the task.
     */
    record Address(String accountId, int partition) {}

    /** The key as the topic has it: the accountId. */
    static Serializer<Address> keySerializer() {
        StringSerializer strings = new StringSerializer();
        return (topic, address) -> address == null ? null : strings.serialize(topic, address.accountId());
    }

    /**
     * The partition the address names. Not checked against {@code numPartitions} here: that is the producer's cached
     * view, which may lag partitions an operator added (the producer refreshes it for a higher partition), and under
     * the TopologyTestDriver it is always 1.
     */
    static StreamPartitioner<Address, byte[]> partitioner() {
        return (topic, address, value, numPartitions) -> Optional.of(Set.of(address.partition()));
    }
}
