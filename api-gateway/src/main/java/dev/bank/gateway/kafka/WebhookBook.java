package dev.bank.gateway.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bank.gateway.config.GatewayConfig;
import dev.bank.schemas.Ids;
import dev.bank.schemas.Json;
import dev.bank.schemas.JsonSchemas;
import dev.bank.schemas.Topic;
import dev.bank.schemas.WebhookReplay;
import dev.bank.schemas.WebhookSubscription;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The webhook subscriptions, read whole from the compacted webhooks topic ({@code bank.webhooks}, one partition) by
 * every gateway instance without a consumer group, as {@link FxRateBook} reads the rates: the newest record of an id
 * is the subscription, a tombstone deletes it. Writes go through the gateway's producer; each completes once this book
 * has read the record back at the offset the broker gave it (read-your-writes). A record that is not a valid
 * subscription (unparseable, breaking {@code webhook-subscription.schema.json}, a key that is not its id) is not used:
 * logged with its offset (never its content: it may hold a secret) and counted in
 * {@code bank.gateway.webhooks.refused}.
 */
public final class WebhookBook implements WebhookStore, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebhookBook.class);
    /** A subscription is under 10 KiB even with 100 account ids; anything much larger is not one. */
    static final int MAX_RECORD_BYTES = 64 * 1024;

    /** A write waiting for the book to read its offset. */
    private record Waiter(long offset, CompletableFuture<Void> done) {}

    private final KafkaConsumer<String, byte[]> consumer;
    private final CommandPublisher publisher;
    private final Topic<WebhookSubscription> topic;
    private final Duration timeout;
    private final Map<String, WebhookSubscription> subscriptions = new ConcurrentHashMap<>();
    private final PriorityQueue<Waiter> waiters = new PriorityQueue<>((a, b) -> Long.compare(a.offset, b.offset));
    private final Thread thread;
    /** The offset after the last record read (of the one partition). */
    private long position = -1;
    /** The topic's end when the book attached: it is ready once it has read that far. */
    private long endAtStart = -1;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private volatile boolean attached;
    private volatile boolean ready;
    private volatile boolean closed;
    private MeterRegistry registry;

    public WebhookBook(GatewayConfig config, CommandPublisher publisher) {
        this.topic = config.topics().webhooksTopic();
        this.publisher = publisher;
        this.timeout = config.kafkaTimeout();
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "bank-gateway-webhooks");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) config.kafkaTimeout().toMillis());
        config.kafkaSecurity().applyTo(p);
        this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, "webhooks");
        this.thread.setDaemon(true);
    }

    public WebhookBook start(MeterRegistry metrics) {
        this.registry = metrics;
        Gauge.builder("bank.gateway.webhooks", subscriptions, Map::size)
                .description("Webhook subscriptions this gateway knows").register(metrics);
        thread.start();
        return this;
    }

    @Override
    public Collection<WebhookSubscription> all() {
        return List.copyOf(subscriptions.values());
    }

    @Override
    public Optional<WebhookSubscription> get(String id) {
        return Optional.ofNullable(subscriptions.get(id));
    }

    @Override
    public CompletableFuture<Void> put(WebhookSubscription subscription) {
        return written(publisher.publishWebhook(subscription.id(), subscription));
    }

    @Override
    public CompletableFuture<Void> delete(String id) {
        return written(publisher.publishWebhook(id, null));
    }

    @Override
    public CompletableFuture<Void> replay(WebhookReplay replay) {
        return publisher.publishReplay(replay).orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .thenApply(sent -> null);
    }

    @Override
    public String problem() {
        return ready ? null : "not yet reading " + topic.name();
    }

    /** Completes when the record the broker acknowledged has been read back by this book. */
    private CompletableFuture<Void> written(CompletableFuture<RecordMetadata> sent) {
        return sent.thenCompose(metadata -> {
            CompletableFuture<Void> seen = new CompletableFuture<>();
            synchronized (waiters) {
                if (position > metadata.offset()) seen.complete(null);
                else waiters.add(new Waiter(metadata.offset(), seen));
            }
            return seen;
        }).orTimeout(2 * timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void run() {
        try {
            while (!closed) {
                if (!attached) {
                    attached = KafkaConnections.assignWhole(consumer, topic.name(), consumer::seekToBeginning, log,
                            "reading webhook subscriptions from");
                    if (attached) {
                        endAtStart = consumer.endOffsets(consumer.assignment()).values().stream()
                                .mapToLong(Long::longValue).max().orElse(0);
                    }
                    continue;
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    read(record);
                }
                advance(consumer.assignment().stream().mapToLong(consumer::position).max().orElse(0));
                if (!ready && position >= endAtStart) {
                    ready = true; // every subscription that existed when the gateway started is known
                    caughtUp.countDown();
                }
            }
        } catch (WakeupException e) {
            if (!closed) throw e;
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    /** The book has read everything before {@code next}: the writes at those offsets are answered. */
    void advance(long next) {
        synchronized (waiters) {
            position = Math.max(position, next);
            while (!waiters.isEmpty() && waiters.peek().offset() < position) waiters.poll().done().complete(null);
        }
    }

    void read(ConsumerRecord<String, byte[]> record) {
        String where = record.topic() + "-" + record.partition() + "@" + record.offset();
        try {
            if (record.key() == null || !Ids.validWebhookId(record.key())) {
                refuse(where, "key", "the key is not a webhook id");
                return;
            }
            if (record.value() == null) {
                if (subscriptions.remove(record.key()) != null) log.info("webhook {} deleted", record.key());
                return;
            }
            if (record.value().length > MAX_RECORD_BYTES) {
                refuse(where, "too-large", "a subscription record is at most " + MAX_RECORD_BYTES + " bytes");
                return;
            }
            WebhookSubscription subscription;
            try {
                JsonNode json = Json.MAPPER.readTree(record.value());
                List<String> violations = json == null ? List.of("empty")
                        : JsonSchemas.violations(JsonSchemas.WEBHOOK_SUBSCRIPTION, json);
                if (!violations.isEmpty()) {
                    // the violations name fields and rules, not values: a secret is never echoed
                    refuse(where, "schema", violations.size() + " schema violation(s), first at "
                            + violations.get(0).split(":")[0]);
                    return;
                }
                subscription = Json.MAPPER.treeToValue(json, WebhookSubscription.class);
            } catch (IOException e) {
                refuse(where, "unparseable", "not a JSON subscription: " + e.getClass().getSimpleName());
                return;
            }
            if (!subscription.id().equals(record.key())) {
                refuse(where, "key", "the record key is not the subscription's id");
                return;
            }
            subscriptions.put(subscription.id(), subscription);
            log.info("webhook {} of {} -> {}", subscription.id(), subscription.owner(), subscription.loggableUrl());
        } finally {
            advance(record.offset() + 1);
        }
    }

    private void refuse(String where, String reason, String detail) {
        log.warn("webhook subscription record refused at {}: {}", where, detail);
        if (registry != null) {
            Counter.builder("bank.gateway.webhooks.refused").description("Subscription records not used, by reason")
                    .tag("reason", reason).register(registry).increment();
        }
    }

    /** Waits until the book has read the topic up to where it ended at start; false when it did not in time. */
    public boolean awaitReady(Duration wait) throws InterruptedException {
        return caughtUp.await(wait.toMillis(), TimeUnit.MILLISECONDS);
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
        synchronized (waiters) {
            waiters.forEach(w -> w.done().completeExceptionally(new IllegalStateException("the gateway is stopping")));
            waiters.clear();
        }
    }
}
