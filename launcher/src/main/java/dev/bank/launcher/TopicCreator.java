package dev.bank.launcher;

import dev.bank.observability.KafkaSecurity;
import dev.bank.schemas.TopicSpec;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Creates the system's topics ({@link dev.bank.schemas.Topics#specs()}) idempotently: a topic that already
 * exists keeps its partitions, and gets the configs its spec names (others are not changed).
 */
public final class TopicCreator {

    private static final Logger log = LoggerFactory.getLogger(TopicCreator.class);

    private TopicCreator() {
    }

    /** On an unauthenticated broker, see {@link #createAll(String, KafkaSecurity, List, Duration)}. */
    public static List<String> createAll(String bootstrapServers, List<TopicSpec> specs, Duration timeout) {
        return createAll(bootstrapServers, KafkaSecurity.PLAINTEXT, specs, timeout);
    }

    /** Opens a short-lived Admin client on {@code bootstrapServers}, see {@link #createAll(Admin, List, Duration)}. */
    public static List<String> createAll(String bootstrapServers, KafkaSecurity security, List<TopicSpec> specs,
                                         Duration timeout) {
        try (Admin admin = admin(bootstrapServers, security, timeout)) {
            return createAll(admin, specs, timeout);
        }
    }

    /** A short-lived Admin client for the set-up jobs ({@code bank topics}, {@code bank acls}). */
    static Admin admin(String bootstrapServers, KafkaSecurity security, Duration timeout) {
        int ms = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        return Admin.create(security.withClientProperties(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(ms, 30_000))));
    }

    /**
     * Creates every topic in {@code specs} that does not exist yet and logs one line per topic created.
     *
     * @return the names of the topics this call created (empty if they all existed)
     * @throws IllegalStateException if a topic could not be created within {@code timeout}
     */
    public static List<String> createAll(Admin admin, List<TopicSpec> specs, Duration timeout) {
        List<NewTopic> newTopics = specs.stream()
                .map(s -> new NewTopic(s.name(), s.partitions(), s.replicationFactor()).configs(s.configs()))
                .toList();
        int ms = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        CreateTopicsResult result = admin.createTopics(newTopics, new CreateTopicsOptions().timeoutMs(ms));
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> created = new ArrayList<>();
        List<TopicSpec> existing = new ArrayList<>();
        for (TopicSpec spec : specs) {
            KafkaFuture<Void> future = result.values().get(spec.name());
            try {
                future.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                created.add(spec.name());
                log.info("Created topic {} (partitions={}, replication={}, configs={})",
                        spec.name(), spec.partitions(), spec.replicationFactor(), spec.configs());
            } catch (ExecutionException e) {
                if (e.getCause() instanceof TopicExistsException) {
                    log.debug("Topic {} already exists", spec.name());
                    existing.add(spec);
                } else {
                    throw new IllegalStateException("cannot create topic " + spec.name(), e.getCause());
                }
            } catch (TimeoutException e) {
                throw new IllegalStateException("topic " + spec.name() + " not created within " + timeout, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while creating topic " + spec.name(), e);
            }
        }
        alignConfigs(admin, existing, deadline);
        return List.copyOf(created);
    }

    /**
     * Sets the configs the specs name on topics that existed already (a cluster created by an earlier version), so
     * that, e.g., the commands topic is stamped by the broker there too. Partitions and other configs are untouched.
     */
    private static void alignConfigs(Admin admin, List<TopicSpec> existing, long deadline) {
        Map<ConfigResource, Collection<AlterConfigOp>> changes = new HashMap<>();
        for (TopicSpec spec : existing) {
            if (spec.configs().isEmpty()) continue;
            changes.put(new ConfigResource(ConfigResource.Type.TOPIC, spec.name()), spec.configs().entrySet().stream()
                    .map(e -> new AlterConfigOp(new ConfigEntry(e.getKey(), e.getValue()), AlterConfigOp.OpType.SET))
                    .toList());
        }
        if (changes.isEmpty()) return;
        try {
            admin.incrementalAlterConfigs(changes).all()
                    .get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            log.debug("Configs of existing topics set: {}", changes.keySet());
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot set the configs of existing topics", e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("configs of existing topics not set in time", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while setting topic configs", e);
        }
    }
}
