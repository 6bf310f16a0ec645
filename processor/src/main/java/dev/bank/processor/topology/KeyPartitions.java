package dev.bank.processor.topology;

import dev.bank.schemas.KeyPartitioner;
import org.apache.kafka.streams.processor.api.ProcessorContext;

/**
 * The partition a key belongs on, as Kafka's default partitioner computes it ({@link KeyPartitioner}, shared with the
 * gateway), which every Java producer uses and the processor's own sinks too. A record on another partition meets a
 * task that does not hold its account, so both processors check it before anything else.
 */
final class KeyPartitions {
    private KeyPartitions() {}

    static int partitionOf(String key, int partitions) {
        return KeyPartitioner.partitionOf(key, partitions);
    }

    /** Whether the record being processed is on its key's partition (true outside a record, in a punctuation). */
    static boolean onItsPartition(ProcessorContext<?, ?> context, String key, int partitions) {
        return context.recordMetadata().map(m -> m.partition() == partitionOf(key, partitions)).orElse(true);
    }
}
