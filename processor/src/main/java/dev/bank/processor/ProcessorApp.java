package dev.bank.processor;

import dev.bank.observability.AsyncPool;
import dev.bank.observability.Observability;
import dev.bank.processor.config.ProcessorConfig;
import dev.bank.processor.query.QueryServer;
import dev.bank.processor.query.ServingPartitions;
import dev.bank.processor.query.StoreQueries;
import dev.bank.processor.topology.BankTopology;
import dev.bank.processor.topology.InterestLogic;
import dev.bank.processor.topology.RecordFailures;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * One processor instance: the Kafka Streams application plus its query API. {@code main} only wires and waits;
 * the topology itself is a pure builder ({@link BankTopology}).
 *
 * <p>A stream thread that dies of an unexpected exception is replaced: under exactly_once_v2 its open
 * transaction is aborted and the replacement reprocesses from the last commit, so nothing is lost or doubled.
 */
public final class ProcessorApp implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ProcessorApp.class);

    private final ProcessorConfig config;
    private final KafkaStreams streams;
    private final PrometheusMeterRegistry registry = Observability.registry("bank-processor");
    private final KafkaStreamsMetrics streamsMetrics;
    private final StoreQueries queries;
    /** for the changelogs' last stable offsets (answers from a standby copy) */
    private final Admin admin;
    private final ServingPartitions serving;
    private final QueryServer queryServer;
    private final CountDownLatch running = new CountDownLatch(1);
    private final StreamThreadHealth threads = new StreamThreadHealth(registry, System::nanoTime);

    private ProcessorApp(ProcessorConfig config) {
        this.config = config;
        Topology topology = BankTopology.build(config, registry, new RecordFailures());
        this.streams = new KafkaStreams(topology, config.streamsProperties());
        streams.setUncaughtExceptionHandler(e -> {
            log.error("stream thread failed; replacing it (the open transaction is aborted and retried)", e);
            threads.failed(e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        this.serving = new ServingPartitions(this::activePartitions);
        streams.setGlobalStateRestoreListener(serving);
        streams.setStateListener((now, before) -> {
            serving.onStateChange(now);
            log.info("streams state {} -> {}; serving reads of partitions {}", before, now, serving.snapshot());
            if (now == KafkaStreams.State.RUNNING) running.countDown();
        });
        FunctionCounter.builder("bank.restore.active.records", serving, ServingPartitions::restoredRecords)
                .description("Changelog records restored into active tasks (their accounts wait meanwhile); a "
                        + "takeover from a warm standby restores next to nothing")
                .register(registry);
        for (String kind : List.of("active", "standby")) {
            Gauge.builder("bank.streams.tasks", () -> streams.metadataForLocalThreads().stream()
                            .mapToInt(t -> (kind.equals("active") ? t.activeTasks() : t.standbyTasks()).size()).sum())
                    .description("Tasks assigned to this instance when it last turned RUNNING: active ones, and "
                            + "standbys (warm copies, and warm-ups of tasks it will take over)")
                    .tag("kind", kind).register(registry);
        }
        Gauge.builder("bank.query.serving.partitions", serving, s -> s.snapshot().size())
                .description("Partitions whose reads this instance answers from its own stores right now")
                .register(registry);
        this.streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(registry);
        for (String store : List.of(BankTopology.ACCOUNTS_STORE, BankTopology.PROCESSED_STORE, BankTopology.TRANSFERS_STORE,
                BankTopology.HISTORY_STORE, BankTopology.HOUSEKEEPING_STORE)) {
            Gauge.builder("bank.store.entries", () -> approximateEntries(store))
                    .description("Approximate entries in this instance's active copies of a state store")
                    .tag("store", store).register(registry);
        }
        String serviceToken = config.requireServiceToken();
        this.admin = Admin.create(config.kafkaSecurity().withClientProperties(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000)));
        this.queries = new StoreQueries(streams, new HostInfo(config.queryAdvertisedHost(), config.queryPort()),
                new InterestLogic(config.interest()), config.topics().partitions(), config.topics().commands(),
                serviceToken, registry, serving, admin, config.applicationId());
        this.queryServer = new QueryServer(queries, registry, Map.of("streams", this::streamsProblem), serviceToken);
    }

    public static ProcessorApp start(ProcessorConfig config) {
        // the replies topic's real count too: a reply partition is checked against it, never written beyond it
        ProcessorApp app = new ProcessorApp(config.withTopics(config.topics()
                .withPartitions(TopicPartitions.count(config, config.topics().commands(), config.topics().partitions()))
                .withReplyPartitions(TopicPartitions.count(config, config.topics().replies(),
                        config.topics().replyPartitions()))));
        app.queryServer.start(config.queryBindHost(), config.queryPort());
        app.streams.start();
        log.info("processor {} started: bootstrap={} ({}) state={} query API http://{}", config.applicationId(),
                config.bootstrapServers(), config.kafkaSecurity(), config.stateDir().toAbsolutePath(),
                config.queryEndpoint());
        return app;
    }

    /** Blocks until the Streams instance first reaches RUNNING; false when the timeout passed first. */
    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        return running.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Ready when Streams is RUNNING, no stream thread failed lately and the stores answer; otherwise what is wrong. */
    private String streamsProblem() {
        if (streams.state() != KafkaStreams.State.RUNNING) return "Kafka Streams is " + streams.state();
        String failing = threads.problem();
        if (failing != null) return failing;
        return Double.isNaN(approximateEntries(BankTopology.ACCOUNTS_STORE)) ? "the accounts store does not answer" : null;
    }

    /** The partitions of this instance's active tasks, by the thread metadata (current whenever Streams is RUNNING). */
    private Set<Integer> activePartitions() {
        return streams.metadataForLocalThreads().stream()
                .flatMap(thread -> thread.activeTasks().stream())
                .map(task -> task.taskId().partition())
                .collect(Collectors.toUnmodifiableSet());
    }

    private double approximateEntries(String store) {
        try {
            return streams.store(StoreQueryParameters.fromNameAndType(store, QueryableStoreTypes.keyValueStore()))
                    .approximateNumEntries();
        } catch (InvalidStateStoreException e) {
            return Double.NaN;
        }
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    public String queryUrl() {
        return "http://" + config.queryEndpoint();
    }

    @Override
    public void close() {
        queryServer.close();
        queries.close();
        admin.close(java.time.Duration.ofSeconds(2));
        streamsMetrics.close();
        // Leaving the group hands this instance's partitions over at once instead of after the session timeout.
        boolean clean = streams.close(CloseOptions
                .groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(30)));
        log.info("processor stopped{}", clean ? "" : " (timed out waiting for stream threads)");
    }

    public static void main(String[] args) throws InterruptedException {
        AsyncPool.ensureThreads();
        ProcessorApp app = start(ProcessorConfig.fromEnv(System.getenv()));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            stopped.countDown();
        }, "processor-shutdown"));
        stopped.await();
    }
}
