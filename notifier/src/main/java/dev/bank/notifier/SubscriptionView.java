package dev.bank.notifier;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bank.schemas.AccountEvent;
import dev.bank.schemas.Ids;
import dev.bank.schemas.Json;
import dev.bank.schemas.JsonSchemas;
import dev.bank.schemas.Topic;
import dev.bank.schemas.WebhookSubscription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The webhook subscriptions, read whole from the compacted webhooks topic (no consumer group), kept in memory.
 *
 * <p>Which subscriptions an event goes to is decided when the event is read, so the view must not lag behind the
 * events: a subscription created just before a payment must get the payment's event. {@link #sync()} reads the topic up
 * to its end as of the call, and the event pump calls it for every batch it read before it matches the batch: every
 * subscription written before the events were is then known. An event older than a subscription (by more than
 * {@link #CLOCK_SKEW}, the gateway's clock against the broker's) is not delivered to it, so a notifier that catches up
 * on a backlog (or a new one that starts from the retained events) does not send a new subscription the past.
 */
final class SubscriptionView implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SubscriptionView.class);
    /** How much older than a subscription an event may be and still go to it. */
    static final Duration CLOCK_SKEW = Duration.ofMinutes(1);

    private record Sync(CompletableFuture<Void> done) {}

    private final KafkaConsumer<String, byte[]> consumer;
    private final Topic<WebhookSubscription> topic;
    private final Map<String, WebhookSubscription> subscriptions = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Sync> syncs = new ConcurrentLinkedQueue<>();
    private final List<Sync> waiting = new ArrayList<>();
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private final Thread thread;
    private long syncTarget = -1;
    private volatile boolean attached;
    private volatile boolean ready;
    private volatile boolean closed;
    private volatile long refused;

    SubscriptionView(NotifierConfig config) {
        this.topic = config.topics().webhooksTopic();
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "bank-notifier-webhooks");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        config.kafkaSecurity().applyTo(p);
        this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, "notifier-subscriptions");
        this.thread.setDaemon(true);
    }

    SubscriptionView start() {
        thread.start();
        return this;
    }

    Optional<WebhookSubscription> get(String id) {
        return Optional.ofNullable(subscriptions.get(id));
    }

    int size() {
        return subscriptions.size();
    }

    long refused() {
        return refused;
    }

    /** The subscriptions that get {@code event}: its type, account and owner, and not older than they are. */
    List<WebhookSubscription> matching(AccountEvent event) {
        List<WebhookSubscription> matches = new ArrayList<>();
        for (WebhookSubscription s : subscriptions.values()) {
            if (s.wants(event) && event.timestamp() >= s.createdAt() - CLOCK_SKEW.toMillis()) matches.add(s);
        }
        return matches;
    }

    /** Completes once the view has read the topic up to where it ends now. */
    CompletableFuture<Void> sync() {
        Sync s = new Sync(new CompletableFuture<>());
        syncs.add(s);
        return s.done();
    }

    /** Null once the view has read the whole topic once; otherwise what is wrong. */
    String problem() {
        return ready ? null : "not yet read " + topic.name();
    }

    boolean awaitReady(Duration timeout) throws InterruptedException {
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void run() {
        try {
            while (!closed) {
                if (!attached) {
                    attached = attach();
                    if (attached) syncs.add(new Sync(new CompletableFuture<>())); // the first catch-up is a sync
                    continue;
                }
                if (!syncs.isEmpty()) {
                    List<Sync> asked = new ArrayList<>();
                    for (Sync s; (s = syncs.poll()) != null; ) asked.add(s);
                    try {
                        syncTarget = consumer.endOffsets(consumer.assignment()).values().stream()
                                .mapToLong(Long::longValue).max().orElse(0);
                        waiting.addAll(asked);
                    } catch (RuntimeException e) {
                        if (e instanceof WakeupException) throw e;
                        log.warn("cannot read where {} ends: {}", topic.name(), e.toString());
                        asked.forEach(s -> s.done().completeExceptionally(e));
                    }
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(50))) read(record);
                long position = consumer.assignment().stream().mapToLong(consumer::position).max().orElse(0);
                if (!waiting.isEmpty() && position >= syncTarget) {
                    waiting.forEach(s -> s.done().complete(null));
                    waiting.clear();
                    if (!ready) {
                        ready = true;
                        caughtUp.countDown();
                        log.info("{} webhook subscriptions known", subscriptions.size());
                    }
                }
            }
        } catch (WakeupException e) {
            if (!closed) throw e;
        } finally {
            consumer.close(Duration.ofSeconds(2));
            waiting.forEach(s -> s.done().completeExceptionally(new IllegalStateException("stopping")));
            syncs.forEach(s -> s.done().completeExceptionally(new IllegalStateException("stopping")));
        }
    }

    private boolean attach() {
        try {
            List<TopicPartition> partitions = consumer.partitionsFor(topic.name()).stream()
                    .map(info -> new TopicPartition(topic.name(), info.partition())).toList();
            if (partitions.isEmpty()) {
                log.warn("cannot read {} yet: the topic does not exist (./bank topics creates it)", topic.name());
                pause();
                return false;
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            return true;
        } catch (WakeupException e) {
            throw e;
        } catch (RuntimeException e) {
            log.warn("cannot read {} yet: {}", topic.name(), e.toString());
            pause();
            return false;
        }
    }

    private static void pause() {
        try {
            Thread.sleep(1_000); // a retry interval on the view's own thread, between attempts to attach
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void read(ConsumerRecord<String, byte[]> record) {
        String where = record.topic() + "-" + record.partition() + "@" + record.offset();
        if (record.key() == null || !Ids.validWebhookId(record.key())) {
            refuse(where, "the key is not a webhook id");
            return;
        }
        if (record.value() == null) {
            if (subscriptions.remove(record.key()) != null) log.info("webhook {} deleted", record.key());
            return;
        }
        try {
            JsonNode json = Json.MAPPER.readTree(record.value());
            List<String> violations = json == null ? List.of("empty")
                    : JsonSchemas.violations(JsonSchemas.WEBHOOK_SUBSCRIPTION, json);
            if (!violations.isEmpty()) {
                refuse(where, violations.size() + " schema violation(s)"); // never the values: a secret may be there
                return;
            }
            WebhookSubscription s = Json.MAPPER.treeToValue(json, WebhookSubscription.class);
            if (!s.id().equals(record.key())) {
                refuse(where, "the key is not the subscription's id");
                return;
            }
            new Signer(s.secret()); // a secret that cannot sign is refused here, not at every delivery
            subscriptions.put(s.id(), s);
            log.info("webhook {} of {} -> {}", s.id(), s.owner(), s.loggableUrl());
        } catch (IOException | IllegalArgumentException e) {
            refuse(where, "not a subscription: " + e.getClass().getSimpleName());
        }
    }

    private void refuse(String where, String why) {
        refused++;
        log.warn("webhook subscription record refused at {}: {}", where, why);
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
