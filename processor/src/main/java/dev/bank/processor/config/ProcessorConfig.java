package dev.bank.processor.config;

import dev.bank.observability.InternalApi;
import dev.bank.observability.KafkaSecurity;
import dev.bank.observability.Secret;
import dev.bank.schemas.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

/**
 * The processor's whole configuration: defaults, overridden by environment variables (documented in
 * docs/operations.md). {@link #streamsProperties()} is the only place Kafka Streams settings are made.
 *
 * @param queryAdvertisedHost the host other instances and the gateway use to reach this instance's query API
 * @param idempotencyRetention how long processed transactionIds are remembered for retries
 * @param maxAmount            the largest amount a single command may carry, in major units
 * @param maxCommandBytes      records on the commands topic larger than this are dead-lettered unread
 * @param sessionTimeoutMs     how long the group waits for a silent instance before moving its partitions
 *                             (a crashed instance's accounts are unavailable for about this long)
 * @param interest             interest, business day and history settings ({@link InterestConfig})
 * @param fraud                the fraud rules' thresholds, scores and review settings ({@link FraudConfig})
 * @param kafkaSecurity        how every client of the processor (Streams' and the start-up Admin) authenticates
 * @param failover             group membership and when tasks move ({@link FailoverConfig})
 * @param housekeeping         purges and interest catch-up in bounded slices ({@link HousekeepingConfig})
 */
public record ProcessorConfig(String bootstrapServers, String applicationId, Path stateDir, Topics topics,
                              String queryBindHost, String queryAdvertisedHost, int queryPort,
                              Duration idempotencyRetention, BigDecimal maxAmount, int streamThreads,
                              int standbyReplicas, int internalReplication, long commitIntervalMs,
                              int sessionTimeoutMs, int maxCommandBytes, InterestConfig interest,
                              FraudConfig fraud, KafkaSecurity kafkaSecurity, Secret serviceToken,
                              FailoverConfig failover, HousekeepingConfig housekeeping) {

    public static ProcessorConfig fromEnv(Map<String, String> env) {
        int sessionTimeoutMs = Integer.parseInt(env.getOrDefault("BANK_SESSION_TIMEOUT_MS", "10000"));
        return new ProcessorConfig(
                env.getOrDefault("BANK_BOOTSTRAP_SERVERS", "localhost:9092"),
                env.getOrDefault("BANK_APPLICATION_ID", "bank-processor"),
                Path.of(env.getOrDefault("BANK_STATE_DIR", "data/streams")),
                Topics.fromEnv(env),
                // loopback unless told otherwise: the query API is for our own services
                env.getOrDefault("BANK_QUERY_BIND_HOST", "127.0.0.1"),
                env.getOrDefault("BANK_QUERY_HOST", "localhost"),
                Integer.parseInt(env.getOrDefault("BANK_QUERY_PORT", "8081")),
                Duration.parse(env.getOrDefault("BANK_IDEMPOTENCY_RETENTION", "P7D")),
                new BigDecimal(env.getOrDefault("BANK_MAX_AMOUNT", "1000000000")),
                Integer.parseInt(env.getOrDefault("BANK_STREAM_THREADS", "1")),
                // one warm copy of every store on another instance: a takeover restores next to nothing
                Integer.parseInt(env.getOrDefault("BANK_STANDBY_REPLICAS", "1")),
                Integer.parseInt(env.getOrDefault("BANK_INTERNAL_REPLICATION", "1")),
                Long.parseLong(env.getOrDefault("BANK_COMMIT_INTERVAL_MS", "100")),
                sessionTimeoutMs,
                Integer.parseInt(env.getOrDefault("BANK_MAX_COMMAND_BYTES", "16384")),
                InterestConfig.fromEnv(env),
                FraudConfig.fromEnv(env),
                KafkaSecurity.fromEnv(env),
                serviceTokenOrNull(env),
                FailoverConfig.fromEnv(env, sessionTimeoutMs),
                HousekeepingConfig.fromEnv(env));
    }

    /** The internal API's shared secret when one is configured; {@link #requireServiceToken} at start-up. */
    private static Secret serviceTokenOrNull(Map<String, String> env) {
        boolean given = env.get("BANK_SERVICE_TOKEN_FILE") != null || env.get("BANK_SERVICE_TOKEN") != null;
        return given ? new Secret(InternalApi.serviceToken(env)) : null;
    }

    /** The service credential of the query API, which a running processor cannot do without. */
    public String requireServiceToken() {
        if (serviceToken == null) InternalApi.serviceToken(Map.of()); // throws, saying what to set
        return serviceToken.value();
    }

    public ProcessorConfig withServiceToken(Secret token) {
        return new ProcessorConfig(bootstrapServers, applicationId, stateDir, topics, queryBindHost,
                queryAdvertisedHost, queryPort, idempotencyRetention, maxAmount, streamThreads, standbyReplicas,
                internalReplication, commitIntervalMs, sessionTimeoutMs, maxCommandBytes, interest, fraud,
                kafkaSecurity, token, failover, housekeeping);
    }

    public ProcessorConfig withBootstrapServers(String servers) {
        return new ProcessorConfig(servers, applicationId, stateDir, topics, queryBindHost, queryAdvertisedHost,
                queryPort, idempotencyRetention, maxAmount, streamThreads, standbyReplicas, internalReplication,
                commitIntervalMs, sessionTimeoutMs, maxCommandBytes, interest, fraud,
                kafkaSecurity, serviceToken, failover, housekeeping);
    }

    public ProcessorConfig withStateDir(Path dir) {
        return new ProcessorConfig(bootstrapServers, applicationId, dir, topics, queryBindHost, queryAdvertisedHost,
                queryPort, idempotencyRetention, maxAmount, streamThreads, standbyReplicas, internalReplication,
                commitIntervalMs, sessionTimeoutMs, maxCommandBytes, interest, fraud,
                kafkaSecurity, serviceToken, failover, housekeeping);
    }

    public ProcessorConfig withQueryPort(int port) {
        return new ProcessorConfig(bootstrapServers, applicationId, stateDir, topics, queryBindHost,
                queryAdvertisedHost, port, idempotencyRetention, maxAmount, streamThreads, standbyReplicas,
                internalReplication, commitIntervalMs, sessionTimeoutMs, maxCommandBytes, interest, fraud,
                kafkaSecurity, serviceToken, failover, housekeeping);
    }

    public ProcessorConfig withInterest(InterestConfig settings) {
        return new ProcessorConfig(bootstrapServers, applicationId, stateDir, topics, queryBindHost,
                queryAdvertisedHost, queryPort, idempotencyRetention, maxAmount, streamThreads, standbyReplicas,
                internalReplication, commitIntervalMs, sessionTimeoutMs, maxCommandBytes, settings, fraud,
                kafkaSecurity, serviceToken, failover, housekeeping);
    }

    public ProcessorConfig withFraud(FraudConfig settings) {
        return new ProcessorConfig(bootstrapServers, applicationId, stateDir, topics, queryBindHost,
                queryAdvertisedHost, queryPort, idempotencyRetention, maxAmount, streamThreads, standbyReplicas,
                internalReplication, commitIntervalMs, sessionTimeoutMs, maxCommandBytes, interest, settings,
                kafkaSecurity, serviceToken, failover, housekeeping);
    }

    public ProcessorConfig withTopics(Topics newTopics) {
        return new ProcessorConfig(bootstrapServers, applicationId, stateDir, newTopics, queryBindHost,
                queryAdvertisedHost, queryPort, idempotencyRetention, maxAmount, streamThreads, standbyReplicas,
                internalReplication, commitIntervalMs, sessionTimeoutMs, maxCommandBytes, interest, fraud,
                kafkaSecurity, serviceToken, failover, housekeeping);
    }

    public ProcessorConfig withKafkaSecurity(KafkaSecurity security) {
        return new ProcessorConfig(bootstrapServers, applicationId, stateDir, topics, queryBindHost,
                queryAdvertisedHost, queryPort, idempotencyRetention, maxAmount, streamThreads, standbyReplicas,
                internalReplication, commitIntervalMs, sessionTimeoutMs, maxCommandBytes, interest, fraud,
                security, serviceToken, failover, housekeeping);
    }

    public ProcessorConfig withFailover(FailoverConfig settings) {
        return new ProcessorConfig(bootstrapServers, applicationId, stateDir, topics, queryBindHost,
                queryAdvertisedHost, queryPort, idempotencyRetention, maxAmount, streamThreads, standbyReplicas,
                internalReplication, commitIntervalMs, sessionTimeoutMs, maxCommandBytes, interest, fraud,
                kafkaSecurity, serviceToken, settings, housekeeping);
    }

    // ---- housekeeping (docs/operations.md#housekeeping) ----

    public ProcessorConfig withHousekeeping(HousekeepingConfig settings) {
        return new ProcessorConfig(bootstrapServers, applicationId, stateDir, topics, queryBindHost,
                queryAdvertisedHost, queryPort, idempotencyRetention, maxAmount, streamThreads, standbyReplicas,
                internalReplication, commitIntervalMs, sessionTimeoutMs, maxCommandBytes, interest, fraud,
                kafkaSecurity, serviceToken, failover, settings);
    }

    /**
     * Group membership and task movement (docs/operations.md, failover). The classic protocol with Streams' own
     * cooperative rebalancing and high-availability assignor, not {@code group.protocol=streams} (KIP-1071): with the
     * brokers of Kafka 4.3 that protocol has no warm-up tasks (a returning instance would take its tasks back cold)
     * and refuses {@code group.instance.id} (static membership needs 4.4 brokers).
     */
    private void failoverProperties(Properties p) {
        // A killed instance is noticed after the session timeout; heartbeats every 500 ms also tell the survivors within
        // half a second that the group is rebalancing (a rebalance is announced in the answer to a heartbeat).
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), sessionTimeoutMs);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), failover.heartbeatIntervalMs());
        if (failover.instanceId() != null) {
            // static membership: a restart under the same id within the session timeout is no rebalance at all, and a
            // later one replaces the dead member at once instead of waiting for its session to expire
            p.put(StreamsConfig.consumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), failover.instanceId());
        }
        // A killed instance's open transaction keeps the partitions it wrote unreadable (read_committed) and its
        // pending offsets unfetchable until the broker aborts it: the instance taking over must not wait longer
        // for that than for the group to notice the death.
        p.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), failover.transactionTimeoutMs());
        // A task moves to an instance as active only when that instance is at most this far behind; otherwise it
        // warms up there as an extra standby while the current owner keeps serving, and the probing rebalance moves it
        // once caught up: a restarted instance causes no second outage.
        p.put(StreamsConfig.ACCEPTABLE_RECOVERY_LAG_CONFIG, failover.acceptableRecoveryLag());
        p.put(StreamsConfig.MAX_WARMUP_REPLICAS_CONFIG, failover.maxWarmupReplicas());
        p.put(StreamsConfig.PROBING_REBALANCE_INTERVAL_MS_CONFIG, failover.probingRebalanceIntervalMs());
    }

    /** The address published as {@code application.server}, through which any instance reaches this one. */
    public String queryEndpoint() {
        return queryAdvertisedHost + ":" + queryPort;
    }

    public Properties streamsProperties() {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        kafkaSecurity.applyTo(p); // unprefixed: Streams hands it to its consumers, producers and admin alike
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toAbsolutePath().toString());
        p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, queryEndpoint());
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, streamThreads);
        p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, standbyReplicas);
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, internalReplication);
        if (internalReplication >= 3) {
            // changelogs are as precious as the ledger: a write must reach two replicas before it counts
            p.put(StreamsConfig.topicPrefix(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG), 2);
        }
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitIntervalMs);
        p.put(StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG, RecordTimestamps.class);
        // A task reads commands, its internal topic (rerouted commands and interest ticks) and transfer legs. An interest
        // tick must come after every command appended before it, wherever the two sit: commands queued while the
        // processor was down count on the days they were sent. 0 (Kafka's default) makes the task fetch before it
        // takes a record from one partition while another that still has data in the log is empty, so records go in
        // timestamp order across the three.
        p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, 0L);
        // The future default (Kafka 5.0); there is no global store, so it only silences a start-up warning.
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        p.put(StreamsConfig.producerPrefix(ProducerConfig.ACKS_CONFIG), "all");
        failoverProperties(p);
        return p;
    }
}
