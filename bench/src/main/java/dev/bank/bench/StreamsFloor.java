package dev.bank.bench;

import dev.bank.observability.KafkaSecurity;
import dev.bank.processor.config.ProcessorConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The floor under any exactly-once Kafka Streams topology on this broker: source → a processor that forwards
 * each record unchanged → sink, with no state, run inside the bench. It takes the bank processor's own
 * Streams settings ({@link ProcessorConfig#streamsProperties()} from the same environment, so
 * {@code BANK_COMMIT_INTERVAL_MS}, {@code BANK_INTERNAL_REPLICATION}, {@code max.task.idle.ms}, acks... move
 * both) and changes only what must differ: its own application.id per run, one stream thread, no standbys,
 * no query endpoint and a temporary state directory deleted on close. The bank's processor does this much
 * plus three changelog writes and two output records per command, so the gap between this and the raw pipe
 * is what exactly-once Streams itself costs.
 */
final class StreamsFloor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StreamsFloor.class);
    static final String SOURCE = "floor-source";
    static final String FORWARD = "floor-forward";
    static final String SINK = "floor-sink";

    private final KafkaStreams streams;
    private final Path stateDir;
    private final CountDownLatch running = new CountDownLatch(1);

    private StreamsFloor(KafkaStreams streams, Path stateDir) {
        this.streams = streams;
        this.stateDir = stateDir;
    }

    /** The whole app: bytes in, the same bytes (key, value, timestamp, headers) out. */
    static Topology topology(String input, String output) {
        Topology t = new Topology();
        t.addSource(SOURCE, Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(), input);
        t.addProcessor(FORWARD, Forward::new, SOURCE);
        t.addSink(SINK, output, Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer(), FORWARD);
        return t;
    }

    /**
     * The bank processor's Streams properties from {@code env}, against {@code bootstrapServers}, with only
     * what a one-instance floor app needs changed.
     */
    static Properties properties(Map<String, String> env, String bootstrapServers, KafkaSecurity security,
                                 String applicationId, Path stateDir) {
        Properties p = ProcessorConfig.fromEnv(env).withBootstrapServers(bootstrapServers).withStateDir(stateDir)
                .withKafkaSecurity(security).streamsProperties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 0);
        p.remove(StreamsConfig.APPLICATION_SERVER_CONFIG); // nothing to query
        return p;
    }

    /**
     * Starts the app with its group's offsets set to the input's current end (so records an earlier run left
     * on a persistent broker are not replayed into the timed part) and waits until it is RUNNING.
     */
    static StreamsFloor start(Map<String, String> env, String bootstrapServers, KafkaSecurity security,
                              String applicationId, String input, String output, Duration timeout) {
        Path dir;
        try {
            dir = Files.createTempDirectory("bank-bench-floor-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a state directory", e);
        }
        Properties props = properties(env, bootstrapServers, security, applicationId, dir);
        StreamsFloor floor = new StreamsFloor(new KafkaStreams(topology(input, output), props), dir);
        try {
            startAtEnd(bootstrapServers, security, applicationId, input);
            floor.streams.setUncaughtExceptionHandler(e -> {
                log.error("streams-floor: stream thread failed, shutting the app down", e);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            });
            floor.streams.setStateListener((now, before) -> {
                if (now == KafkaStreams.State.RUNNING) floor.running.countDown();
            });
            floor.streams.start();
            if (!floor.running.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("streams-floor app not RUNNING after " + timeout + " ("
                        + floor.streams.state() + ")");
            }
            return floor;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            floor.close();
            throw new IllegalStateException("interrupted starting the streams-floor app", e);
        } catch (RuntimeException e) {
            floor.close();
            throw e;
        }
    }

    private static void startAtEnd(String bootstrapServers, KafkaSecurity security, String groupId, String topic) {
        try (Admin admin = Admin.create(security.withClientProperties(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers)))) {
            Map<TopicPartition, OffsetSpec> latest = admin.describeTopics(java.util.List.of(topic)).allTopicNames()
                    .get(30, TimeUnit.SECONDS).get(topic).partitions().stream()
                    .collect(Collectors.toMap(p -> new TopicPartition(topic, p.partition()), p -> OffsetSpec.latest()));
            Map<TopicPartition, OffsetAndMetadata> ends = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS)
                    .entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> new OffsetAndMetadata(e.getValue().offset())));
            admin.alterConsumerGroupOffsets(groupId, ends).all().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted positioning the streams-floor group", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot position the streams-floor group at the end of " + topic, e);
        }
    }

    /** Closes the app (its open transaction is aborted) and deletes its state directory. */
    @Override
    public void close() {
        if (!streams.close(Duration.ofSeconds(30))) log.warn("streams-floor app did not close within 30 s");
        try (Stream<Path> files = Files.walk(stateDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            log.warn("cannot delete {}: {}", stateDir, e.toString());
        }
    }

    /** Forwards each record as it came. */
    private static final class Forward implements Processor<byte[], byte[], byte[], byte[]> {
        private ProcessorContext<byte[], byte[]> context;

        @Override
        public void init(ProcessorContext<byte[], byte[]> context) {
            this.context = context;
        }

        @Override
        public void process(Record<byte[], byte[]> record) {
            context.forward(record);
        }
    }
}
