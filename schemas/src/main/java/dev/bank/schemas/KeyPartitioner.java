package dev.bank.schemas;

import org.apache.kafka.common.utils.Utils;

import java.nio.charset.StandardCharsets;

/**
 * The partition a record key belongs on, as Kafka's default partitioner computes it for a keyed record: murmur2 of
 * the key's bytes (a String key serialized as UTF-8, as {@code StringSerializer} does), made positive, modulo the
 * partition count. Every Java producer (the gateway's, an upstream system's), the processor's own sinks and its
 * interactive-query metadata place an accountId there, so one function serves everyone who must agree on it: the
 * processor, which checks that a command sits on its key's partition, and the gateway, which sends a read straight to
 * the instance that owns that partition.
 */
public final class KeyPartitioner {
    private KeyPartitioner() {}

    /** The partition of {@code key} among {@code partitions} (at least 1). */
    public static int partitionOf(String key, int partitions) {
        return partitionOf(key.getBytes(StandardCharsets.UTF_8), partitions);
    }

    /** The partition of a serialized key among {@code partitions} (at least 1). */
    public static int partitionOf(byte[] serializedKey, int partitions) {
        if (partitions < 1) throw new IllegalArgumentException("a topic has at least one partition, not " + partitions);
        return Utils.toPositive(Utils.murmur2(serializedKey)) % partitions;
    }
}
