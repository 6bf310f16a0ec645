package dev.bank.gateway.kafka;

import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

import java.util.Map;

/** Whether a Kafka client currently holds a broker connection, read from its own metrics (no network call). */
final class KafkaConnections {
    private KafkaConnections() {}

    static boolean connected(Map<MetricName, ? extends Metric> metrics, String group) {
        return metrics.entrySet().stream()
                .filter(e -> e.getKey().name().equals("connection-count") && e.getKey().group().equals(group))
                .anyMatch(e -> e.getValue().metricValue() instanceof Double count && count > 0);
    }
}
