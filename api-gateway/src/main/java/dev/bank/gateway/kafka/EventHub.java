package dev.bank.gateway.kafka;

import dev.bank.gateway.config.GatewayConfig;
import dev.bank.gateway.events.LiveFeed;
import dev.bank.gateway.events.Sse;
import dev.bank.schemas.AccountEvent;
import dev.bank.schemas.Topic;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The live feed of account events for this gateway's streams: one consumer of every partition of the events topic
 * ({@code read_committed}, so an event is seen exactly when the transaction that caused it commits), no consumer
 * group (every gateway reads all of it), from the end as of start-up, on its own thread. Each event goes to the
 * subscribers of its account, in the topic's order, which is the account's order (the topic is keyed by accountId).
 * An event no stream wants is not even parsed; one that is wanted is parsed and written as a frame once for all its
 * subscribers, who only queue it ({@link LiveFeed.Subscriber}). What happened before a stream subscribed is not here:
 * the stream reads it from the processors.
 */
public final class EventHub implements LiveFeed, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventHub.class);

    private final KafkaConsumer<String, byte[]> consumer;
    private final Topic<AccountEvent> topic;
    private final Map<String, List<Subscriber>> subscribers = new ConcurrentHashMap<>();
    private final Thread thread;
    private final CountDownLatch attached = new CountDownLatch(1);
    private volatile boolean ready;
    private volatile boolean closed;
    private Counter received;
    private Counter unreadable;

    public EventHub(GatewayConfig config) {
        this.topic = config.topics().accountEventsTopic();
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "bank-gateway-account-events");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // as the results listener: an event is visible once its transaction commits, and a fetch parked at the
        // broker for the default 500 ms would add that to every event's way to its subscribers
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) config.kafkaTimeout().toMillis());
        config.kafkaSecurity().applyTo(p);
        this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, "account-events");
        this.thread.setDaemon(true);
    }

    public EventHub start(MeterRegistry registry) {
        this.received = Counter.builder("bank.gateway.events.received")
                .description("Account events read from the events topic for a stream of this gateway")
                .register(registry);
        this.unreadable = Counter.builder("bank.gateway.events.unreadable")
                .description("Records of the events topic skipped as unreadable").register(registry);
        thread.start();
        return this;
    }

    /** Binds the consumer's own metrics (fetch rates, lag, ...) to the registry. */
    public AutoCloseable bindMetrics(MeterRegistry registry) {
        KafkaClientMetrics metrics = new KafkaClientMetrics(consumer);
        metrics.bindTo(registry);
        return metrics;
    }

    /** Waits until the hub reads the events topic; false when it did not within {@code timeout}. */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        return attached.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public String problem() {
        if (!ready) return "not yet reading " + topic.name();
        return KafkaConnections.connected(consumer.metrics(), "consumer-metrics") ? null
                : "the events consumer has no connection to Kafka";
    }

    @Override
    public Subscription subscribe(String accountId, Subscriber subscriber) {
        subscribers.compute(accountId, (id, list) -> {
            List<Subscriber> l = list == null ? new CopyOnWriteArrayList<>() : list;
            l.add(subscriber);
            return l;
        });
        return () -> subscribers.computeIfPresent(accountId, (id, list) -> {
            list.remove(subscriber);
            return list.isEmpty() ? null : list;
        });
    }

    /** Accounts with at least one subscriber right now. */
    public int accounts() {
        return subscribers.size();
    }

    private void run() {
        try {
            while (!closed) {
                if (!ready) {
                    ready = KafkaConnections.assignWhole(consumer, topic.name(), partitions -> {
                        consumer.seekToEnd(partitions);
                        partitions.forEach(consumer::position); // resolve the end offsets before declaring ready
                    }, log, "following account events on");
                    if (ready) attached.countDown();
                    continue;
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    dispatch(record);
                }
            }
        } catch (WakeupException e) {
            if (!closed) throw e;
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    void dispatch(ConsumerRecord<String, byte[]> record) {
        List<Subscriber> wanting = record.key() == null ? null : subscribers.get(record.key());
        if (wanting == null || wanting.isEmpty()) return;
        AccountEvent event;
        try {
            event = topic.deserialize(record.value());
        } catch (SerializationException | IllegalArgumentException e) {
            skip(record, e.getMessage(), wanting);
            return;
        }
        if (event == null || !record.key().equals(event.accountId()) || event.type() == null
                || event.currency() == null) {
            skip(record, "not an event of account " + record.key(), wanting);
            return;
        }
        byte[] frame;
        try {
            frame = Sse.event(event);
        } catch (RuntimeException e) {
            skip(record, e.toString(), wanting);
            return;
        }
        received.increment();
        for (Subscriber s : wanting) {
            try {
                s.event(event, frame);
            } catch (RuntimeException e) {
                log.warn("a live stream of account {} failed to take event {}: {}", record.key(), event.sequence(),
                        e.toString(), e);
            }
        }
    }

    /** A record the hub cannot use: its account's subscribers ask the processors instead, which keep the event. */
    private void skip(ConsumerRecord<String, byte[]> record, String why, List<Subscriber> wanting) {
        unreadable.increment();
        String detail = why == null ? "" : why.length() > 300 ? why.substring(0, 300) + "..." : why;
        log.warn("skipping unreadable account event at {}-{}@{}: {}", record.topic(), record.partition(),
                record.offset(), detail);
        for (Subscriber s : wanting) {
            try {
                s.missed();
            } catch (RuntimeException e) {
                log.warn("a live stream of account {} failed to take a missed event: {}", record.key(), e.toString());
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
