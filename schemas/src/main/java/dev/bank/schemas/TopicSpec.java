package dev.bank.schemas;

import java.util.Map;

/**
 * One Kafka topic as the system defines it: name, partitions, replication and topic configs. Every service
 * and the local launcher create topics from the same {@link Topics} so a deployment and a laptop agree.
 */
public record TopicSpec(String name, int partitions, short replicationFactor, Map<String, String> configs) {
    public TopicSpec {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("topic name is blank");
        if (partitions < 1) throw new IllegalArgumentException("partitions must be >= 1 for " + name);
        if (replicationFactor < 1) throw new IllegalArgumentException("replication must be >= 1 for " + name);
        configs = Map.copyOf(configs);
    }
}
