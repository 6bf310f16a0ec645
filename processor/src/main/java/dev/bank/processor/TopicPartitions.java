package dev.bank.processor;

import dev.bank.processor.config.ProcessorConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The partition count of a topic as the broker has it. The processor computes each key's partition with the commands
 * topic's (to catch commands produced to the wrong one), and checks each reply partition against the replies topic's
 * (a partition that does not exist would fail the task's writes), so it must be the topic's real count, not a setting
 * that may disagree with a cluster created earlier.
 */
final class TopicPartitions {
    private static final Logger log = LoggerFactory.getLogger(TopicPartitions.class);
    private static final int TIMEOUT_SECONDS = 60;
    /** How long a topic may be unknown to the broker asked, right after it was created elsewhere. */
    private static final Duration UNKNOWN_FOR_AT_MOST = Duration.ofSeconds(10);
    private static final Duration RETRY_PAUSE = Duration.ofMillis(100);

    private TopicPartitions() {}

    /** @param configured the count the configuration expects (a difference is logged, the broker's count is used) */
    static int count(ProcessorConfig config, String topic, int configured) {
        Map<String, Object> conf = config.kafkaSecurity().withClientProperties(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, TIMEOUT_SECONDS * 1000));
        // a topic just created may not be in this broker's metadata yet: "unknown" is retried for a while
        long deadline = System.nanoTime() + UNKNOWN_FOR_AT_MOST.toNanos();
        try (Admin admin = Admin.create(conf)) {
            while (true) {
                try {
                    TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                            .get(TIMEOUT_SECONDS, TimeUnit.SECONDS).get(topic);
                    int count = description.partitions().size();
                    if (count != configured) {
                        log.info("{} has {} partitions (the configuration says {}): using {}", topic, count,
                                configured, count);
                    }
                    return count;
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(RETRY_PAUSE.toMillis());
                }
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read the partitions of " + topic + " from "
                    + config.bootstrapServers() + "; create the topics first (bank topics)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the partitions of " + topic, e);
        }
    }
}
