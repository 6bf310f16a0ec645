package dev.bank.processor.config;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * The time of each input record: its own timestamp, or, when that is negative (a raw-protocol producer can write
 * -1, "no timestamp"), the partition's time so far. Kafka Streams' default extractor throws on a negative
 * timestamp, which kills the stream thread on every attempt and stalls the partition for good; skipping the record
 * instead would lose a command. The partition time is deterministic (the largest timestamp read before it), so a
 * replay reaches the same answer.
 */
public final class RecordTimestamps implements TimestampExtractor {
    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        long timestamp = record.timestamp();
        return timestamp >= 0 ? timestamp : Math.max(partitionTime, 0);
    }
}
