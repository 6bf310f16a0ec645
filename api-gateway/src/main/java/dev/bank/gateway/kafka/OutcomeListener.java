package dev.bank.gateway.kafka;

import dev.bank.gateway.config.GatewayConfig;
import dev.bank.gateway.config.ReplySettings;
import dev.bank.schemas.Topic;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.WireHeaders;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
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
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads this instance's partition of the replies topic ({@code read_committed}, so only outcomes of committed
 * transactions are seen) from the end as of start-up, and completes the requests waiting for them.
 *
 * <p>Every command the gateway publishes names that partition ({@link WireHeaders#REPLY_PARTITION}, see
 * {@link #replyPartition()}), and the processor writes the command's outcome there as well as on the results topic,
 * in one transaction. So each instance reads only the answers to its own requests (and those of any instance that
 * shares its partition), not every outcome of the bank: adding a gateway adds no read load to the others.
 *
 * <p>Each waiting request is matched by its own request id ({@link WireHeaders#REQUEST_ID}), which the gateway stamps
 * on the command and the processor copies onto that command's outcome. Matching by (accountId, transactionId) in
 * arrival order would cross answers: concurrent requests under one transactionId (an identical retry and a
 * conflicting one) need not reach the log in the order they were registered. A reply without a request id waiting
 * here (another instance's on a shared partition, or one that came after its request gave up) is counted and skipped.
 * No consumer group: the partition is assigned.
 */
public final class OutcomeListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OutcomeListener.class);

    private final KafkaConsumer<String, byte[]> consumer;
    private final Topic<Outcome> topic;
    private final ReplySettings settings;
    /** The partition this instance reads and names on its commands; -1 until it reads it. */
    private volatile int replyPartition = -1;
    /** Why the listener cannot read its partition, when it is a setting and not a passing state; else null. */
    private volatile String misconfigured;
    private final AtomicLong read = new AtomicLong();
    private final AtomicLong unmatched = new AtomicLong();
    private final Map<String, CompletableFuture<Outcome>> waiting = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Thread thread;
    /**
     * Completing a waiter writes its HTTP response on the completing thread; done here, the listener would write
     * every response itself (most of its time in the profile, see docs/performance.md) and poll later. Two threads,
     * as answering is short.
     */
    private final ExecutorService delivery = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "outcome-delivery");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean ready;
    /** Counted down once, when the listener first reads its replies partition. */
    private final CountDownLatch attached = new CountDownLatch(1);
    private volatile boolean closed;

    public OutcomeListener(GatewayConfig config) {
        this.topic = config.topics().repliesTopic();
        this.settings = config.replies();
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "bank-gateway-replies");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // An outcome is only visible once its transaction commits; a fetch parked at the broker for the default
        // 500 ms adds to waiting requests' latency. 10 ms measured more rest-sync throughput and a lower p99
        // (docs/performance.md), for at most 100 idle fetches a second.
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) config.kafkaTimeout().toMillis());
        config.kafkaSecurity().applyTo(p);
        this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, "outcome-listener");
        this.thread.setDaemon(true);
    }

    public OutcomeListener start() {
        thread.start();
        return this;
    }

    /** True once the listener reads its replies partition, so an outcome published from now on will be seen. */
    public boolean ready() {
        return ready;
    }

    /** Waits until the listener reads its replies partition; false when it did not within {@code timeout}. */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        return attached.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Null when the listener reads its replies partition over a live connection; otherwise what is wrong. */
    public String problem() {
        String wrong = misconfigured;
        if (wrong != null) return wrong;
        if (!ready) return "not yet reading " + topic.name();
        return KafkaConnections.connected(consumer.metrics(), "consumer-metrics") ? null
                : "the replies consumer has no connection to Kafka";
    }

    /**
     * The partition of the replies topic this instance reads, which every command it publishes names so that its
     * outcome comes back here; known once {@link #ready}.
     */
    public int replyPartition() {
        int p = replyPartition;
        if (p < 0) throw new IllegalStateException("not yet reading " + topic.name());
        return p;
    }

    /** Replies read from this instance's partition, its own requests' and any others'. */
    public long repliesRead() {
        return read.get();
    }

    /**
     * Replies read that no request here waits for: another instance's (when two share the partition) or one that came
     * after its request stopped waiting (answered 202).
     */
    public long repliesUnmatched() {
        return unmatched.get();
    }

    /** Binds the consumer's own metrics (fetch rates, lag, ...) and the replies counts to the registry. */
    public AutoCloseable bindMetrics(MeterRegistry registry) {
        KafkaClientMetrics metrics = new KafkaClientMetrics(consumer);
        metrics.bindTo(registry);
        FunctionCounter.builder("bank.gateway.replies.read", this, OutcomeListener::repliesRead)
                .description("Replies read from this instance's partition of the replies topic").register(registry);
        FunctionCounter.builder("bank.gateway.replies.unmatched", this, OutcomeListener::repliesUnmatched)
                .description("Replies read that no request of this instance waited for (another instance's on a"
                        + " shared partition, or late)").register(registry);
        Gauge.builder("bank.gateway.reply.partition", this, l -> l.replyPartition)
                .description("The partition of the replies topic this instance reads (-1: not yet)").register(registry);
        return metrics;
    }

    /** Requests waiting for an outcome right now. */
    public int waiting() {
        return inFlight.get();
    }

    /**
     * Registers interest in the outcome of the command a request is about to publish under {@code requestId} (so the
     * outcome cannot be missed). The caller bounds the wait; a completed or abandoned future is forgotten.
     */
    public CompletableFuture<Outcome> expect(String requestId) {
        CompletableFuture<Outcome> future = new CompletableFuture<>();
        if (waiting.putIfAbsent(requestId, future) != null) {
            throw new IllegalStateException("request id " + requestId + " is already waiting");
        }
        inFlight.incrementAndGet();
        future.whenComplete((o, e) -> {
            inFlight.decrementAndGet();
            waiting.remove(requestId, future);
        });
        return future;
    }

    /** A fresh request id: random, so no other request of this or any gateway instance carries it. */
    public static String newRequestId() {
        return UUID.randomUUID().toString();
    }

    private void run() {
        try {
            while (!closed) {
                if (!ready) {
                    ready = attach();
                    if (ready) attached.countDown();
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

    /**
     * Assigns this instance's partition, positioned at its end. False, logged, while the topic cannot be read yet or
     * the partition set does not exist (the caller tries again: an operator may add partitions).
     */
    private boolean attach() {
        try {
            int count = consumer.partitionsFor(topic.name()).size();
            if (count == 0) {
                // a topic that does not exist (yet) has no partitions: assigning none would "read" it forever
                log.warn("cannot read {} yet: the topic does not exist (./bank topics creates it)", topic.name());
                KafkaConnections.pause();
                return false;
            }
            int partition;
            try {
                partition = settings.partitionOf(count);
            } catch (IllegalStateException e) {
                if (misconfigured == null) log.error("cannot read replies: {}", e.getMessage());
                misconfigured = e.getMessage();
                KafkaConnections.pause();
                return false;
            }
            misconfigured = null;
            TopicPartition assigned = new TopicPartition(topic.name(), partition);
            consumer.assign(List.of(assigned));
            consumer.seekToEnd(List.of(assigned));
            consumer.position(assigned); // resolve the end offset now, before declaring ready
            replyPartition = partition;
            log.info("listening for outcomes on {} partition {} of {} (instance {}{})", topic.name(), partition, count,
                    settings.instanceId(), settings.partition() == null ? ", partition derived from its id" : "");
            return true;
        } catch (WakeupException e) {
            throw e;
        } catch (RuntimeException e) {
            log.warn("cannot read {} yet: {}", topic.name(), e.toString());
            KafkaConnections.pause();
            return false;
        }
    }

    private void deliver(ConsumerRecord<String, byte[]> record) {
        read.incrementAndGet();
        String requestId = WireHeaders.requestId(record.headers());
        if (requestId == null || !waiting.containsKey(requestId)) { // no one here waits for it
            unmatched.incrementAndGet();
            return;
        }
        Outcome outcome;
        try {
            outcome = topic.deserialize(record.value());
        } catch (SerializationException e) {
            log.warn("skipping unreadable outcome at {}-{}@{}: {}", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
            return;
        }
        if (outcome == null) return;
        CompletableFuture<Outcome> waiter = waiting.remove(requestId);
        if (waiter != null) delivery.execute(() -> waiter.complete(outcome));
        else unmatched.incrementAndGet(); // it stopped waiting meanwhile
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
