package dev.bank.gateway.kafka;

import dev.bank.gateway.config.GatewayConfig;
import dev.bank.schemas.JsonSerde;
import dev.bank.schemas.Outcome;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reads every partition of the results topic ({@code read_committed}, so only outcomes of committed
 * transactions are seen) from the end as of start-up, and completes the requests waiting for them.
 *
 * <p>Waiters are matched by (accountId, transactionId), first come first served: commands of one account are
 * published to one partition in order and answered in that order, so two in-flight requests under the same
 * id each get the outcome of their own command. No consumer group: every gateway instance sees every outcome.
 */
public final class OutcomeListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OutcomeListener.class);
    private static final JsonSerde<Outcome> OUTCOMES = JsonSerde.of(Outcome.class);

    private final KafkaConsumer<String, byte[]> consumer;
    private final String topic;
    private final Map<String, Deque<CompletableFuture<Outcome>>> waiting = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Thread thread;
    /**
     * Completing a waiter writes its HTTP response on the completing thread; done here, the listener would write
     * every response itself (60% of its time in the profile) and poll later. Two threads, as answering is short.
     */
    private final ExecutorService delivery = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "outcome-delivery");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean ready;
    private volatile boolean closed;

    public OutcomeListener(GatewayConfig config) {
        this.topic = config.topics().results();
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "bank-gateway-results");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // An outcome is only visible once its transaction commits; a fetch parked at the broker for the default
        // 500 ms adds to waiting requests' latency. 10 ms measured 5-15% more rest-sync throughput at 1000 clients
        // (README, Performance), for at most 100 idle fetches a second.
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) config.kafkaTimeout().toMillis());
        this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, "outcome-listener");
        this.thread.setDaemon(true);
    }

    public OutcomeListener start() {
        thread.start();
        return this;
    }

    /** True once the listener reads the results topic, so an outcome published from now on will be seen. */
    public boolean ready() {
        return ready;
    }

    /** Null when the listener reads the results topic over a live connection; otherwise what is wrong. */
    public String problem() {
        if (!ready) return "not yet reading " + topic;
        return KafkaConnections.connected(consumer.metrics(), "consumer-metrics") ? null
                : "the results consumer has no connection to Kafka";
    }

    /** Binds the consumer's own metrics (fetch rates, lag, ...) to the registry. */
    public AutoCloseable bindMetrics(MeterRegistry registry) {
        KafkaClientMetrics metrics = new KafkaClientMetrics(consumer);
        metrics.bindTo(registry);
        return metrics;
    }

    /** Requests waiting for an outcome right now. */
    public int waiting() {
        return inFlight.get();
    }

    /**
     * Registers interest in the outcome of a command before it is published (so it cannot be missed). The
     * caller bounds the wait; a completed or abandoned future is forgotten.
     */
    public CompletableFuture<Outcome> expect(String accountId, String transactionId) {
        String key = key(accountId, transactionId);
        CompletableFuture<Outcome> future = new CompletableFuture<>();
        waiting.compute(key, (k, q) -> {
            Deque<CompletableFuture<Outcome>> queue = q == null ? new ArrayDeque<>() : q;
            queue.addLast(future);
            return queue;
        });
        inFlight.incrementAndGet();
        future.whenComplete((o, e) -> {
            inFlight.decrementAndGet();
            waiting.computeIfPresent(key, (k, q) -> {
                q.remove(future);
                return q.isEmpty() ? null : q;
            });
        });
        return future;
    }

    private void run() {
        try {
            while (!closed) {
                if (!ready) {
                    ready = attach();
                    continue;
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    deliver(record);
                }
            }
        } catch (WakeupException e) {
            if (!closed) throw e;
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private boolean attach() {
        try {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position); // resolve the end offsets now, before declaring ready
            log.info("listening for outcomes on {} ({} partitions)", topic, partitions.size());
            return true;
        } catch (WakeupException e) {
            throw e;
        } catch (RuntimeException e) {
            log.warn("cannot attach to {} yet: {}", topic, e.toString());
            return false;
        }
    }

    private void deliver(ConsumerRecord<String, byte[]> record) {
        Outcome outcome;
        try {
            outcome = OUTCOMES.deserialize(record.topic(), record.value());
        } catch (SerializationException e) {
            log.warn("skipping unreadable outcome at {}-{}@{}: {}", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
            return;
        }
        if (outcome == null) return;
        String key = key(outcome.accountId(), outcome.transactionId());
        CompletableFuture<Outcome>[] first = new CompletableFuture[1];
        waiting.computeIfPresent(key, (k, q) -> {
            first[0] = q.pollFirst();
            return q.isEmpty() ? null : q;
        });
        CompletableFuture<Outcome> waiter = first[0];
        if (waiter != null) delivery.execute(() -> waiter.complete(outcome));
    }

    private static String key(String accountId, String transactionId) {
        return accountId + '\u0000' + transactionId;
    }

    @Override
    public void close() {
        closed = true;
        consumer.wakeup();
        try {
            thread.join(5_000);
            delivery.shutdown();
            delivery.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
