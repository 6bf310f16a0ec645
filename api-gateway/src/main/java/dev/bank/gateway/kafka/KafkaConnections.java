package dev.bank.gateway.kafka;

import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The gateway's Kafka clients' shared plumbing: whether a client holds a broker connection, read from its own metrics
 * (no network call), and attaching a consumer to every partition of a topic without a group.
 */
final class KafkaConnections {
    private KafkaConnections() {}

    static boolean connected(Map<MetricName, ? extends Metric> metrics, String group) {
        return metrics.entrySet().stream()
                .filter(e -> e.getKey().name().equals("connection-count") && e.getKey().group().equals(group))
                .anyMatch(e -> e.getValue().metricValue() instanceof Double count && count > 0);
    }

    /**
     * Assigns every partition of {@code topic} to the consumer (no consumer group: every gateway reads all of it) and
     * positions it with {@code seek}. False, logged, while the topic cannot be read yet (the caller tries again).
     */
    static boolean assignWhole(KafkaConsumer<?, ?> consumer, String topic, Consumer<List<TopicPartition>> seek,
                               Logger log, String what) {
        try {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            if (partitions.isEmpty()) {
                // a topic that does not exist (yet) has no partitions: assigning none would "read" it forever
                log.warn("cannot read {} yet: the topic does not exist (./bank topics creates it)", topic);
                pause();
                return false;
            }
            consumer.assign(partitions);
            seek.accept(partitions);
            log.info("{} {} ({} partitions)", what, topic, partitions.size());
            return true;
        } catch (WakeupException e) {
            throw e;
        } catch (RuntimeException e) {
            log.warn("cannot read {} yet: {}", topic, e.toString());
            pause();
            return false;
        }
    }

    /** Between attempts to attach, on the reader's own thread: the caller loops; a missing topic is answered at once. */
    static void pause() {
        try {
            Thread.sleep(1_000); // a retry interval on the consumer's own thread, not a wait for a condition
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
