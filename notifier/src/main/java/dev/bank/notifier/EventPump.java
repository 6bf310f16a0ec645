package dev.bank.notifier;

import dev.bank.schemas.AccountEvent;
import dev.bank.schemas.Topic;
import dev.bank.schemas.WebhookSubscription;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads the account events in the notifier's own consumer group ({@code read_committed}: only events of committed
 * processor transactions) and hands each to the subscriptions that want it ({@link DeliveryEngine}). Offsets are
 * committed by hand, only as far as {@link CommitTracker} says every delivery before is done: a crash, even a kill -9,
 * makes the next instance send again what was not confirmed, never skip it. When more deliveries are held than
 * {@code maxQueued}, it pauses its partitions until half are done, so memory stays bounded however far behind the
 * endpoints are.
 */
final class EventPump implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventPump.class);
    /** How long a batch waits for the subscriptions to catch up before it is read again. */
    static final Duration SYNC_TIMEOUT = Duration.ofSeconds(10);

    private final KafkaConsumer<String, byte[]> consumer;
    private final Topic<AccountEvent> topic;
    private final SubscriptionView view;
    private final DeliveryEngine engine;
    private final CommitTracker tracker = new CommitTracker();
    private final int maxQueued;
    private final Duration commitInterval;
    private final Thread thread;
    private final AtomicLong lag = new AtomicLong();
    private final MeterRegistry registry;
    private volatile boolean running;
    private volatile boolean closed;
    private volatile boolean assigned;
    private boolean paused;

    EventPump(NotifierConfig config, SubscriptionView view, DeliveryEngine engine, MeterRegistry registry) {
        this.topic = config.topics().accountEventsTopic();
        this.view = view;
        this.engine = engine;
        this.maxQueued = config.maxQueued();
        this.commitInterval = config.commitInterval();
        this.registry = registry;
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "bank-notifier-events");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // a new group starts at the oldest retained event; subscriptions skip what is older than they are
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) config.sessionTimeout().toMillis());
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) config.sessionTimeout().toMillis() / 3);
        config.kafkaSecurity().applyTo(p);
        this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, "notifier-events");
        Gauge.builder("bank.notifier.consumer.lag", lag, AtomicLong::get)
                .description("Account events not yet read by this notifier (its partitions)").register(registry);
        Gauge.builder("bank.notifier.uncommitted", tracker, CommitTracker::uncommitted)
                .description("Events read but not yet committed (some delivery of them or before them is not done)")
                .register(registry);
    }

    EventPump start() {
        thread.start();
        return this;
    }

    /** Null while the pump reads its partitions; otherwise what is wrong. */
    String problem() {
        if (!running) return "not reading " + topic.name() + " yet";
        return null;
    }

    boolean assigned() {
        return assigned;
    }

    private void run() {
        try {
            while (!closed && !view.awaitReady(Duration.ofSeconds(1))) {
                log.info("waiting for the webhook subscriptions before reading events");
            }
            consumer.subscribe(List.of(topic.name()), new Rebalance());
            running = true;
            long lastCommit = System.nanoTime();
            while (!closed) {
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(200));
                if (!records.isEmpty() && !handle(records)) continue;
                if (System.nanoTime() - lastCommit >= commitInterval.toNanos()) {
                    commit(tracker.committable());
                    lastCommit = System.nanoTime();
                }
                throttle();
                measureLag();
            }
        } catch (WakeupException e) {
            if (!closed) throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("the event pump failed; events are no longer read", e);
            running = false;
        } finally {
            try {
                if (running) commit(tracker.committable());
            } catch (RuntimeException e) {
                log.warn("last commit failed: {}", e.toString());
            }
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /**
     * Matches a batch against the subscriptions once they have caught up with the webhooks topic; false (the batch is
     * read again) when they could not.
     */
    private boolean handle(ConsumerRecords<String, byte[]> records) throws InterruptedException {
        try {
            view.sync().get(SYNC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            log.warn("webhook subscriptions not current ({}); reading the batch again", e.toString());
            for (TopicPartition tp : records.partitions()) {
                consumer.seek(tp, records.records(tp).get(0).offset());
            }
            return false;
        }
        for (ConsumerRecord<String, byte[]> record : records) {
            TopicPartition tp = new TopicPartition(record.topic(), record.partition());
            AccountEvent event;
            try {
                event = topic.deserialize(record.value());
                if (event == null || event.accountId() == null || event.type() == null) {
                    throw new IllegalArgumentException("incomplete");
                }
            } catch (RuntimeException e) {
                log.warn("account event at {}-{}@{} is not readable ({}); skipped", record.topic(), record.partition(),
                        record.offset(), e.getClass().getSimpleName());
                Counter.builder("bank.notifier.events.unreadable").description("Account events that could not be read")
                        .register(registry).increment();
                tracker.received(tp, record.offset(), 0);
                continue;
            }
            List<WebhookSubscription> matches = view.matching(event);
            tracker.received(tp, record.offset(), matches.size());
            for (WebhookSubscription s : matches) {
                long offset = record.offset();
                engine.submit(s.id(), event, tp, () -> tracker.done(tp, offset));
            }
        }
        return true;
    }

    private void commit(Map<TopicPartition, Long> offsets) {
        if (offsets.isEmpty()) return;
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        offsets.forEach((tp, offset) -> commit.put(tp, new OffsetAndMetadata(offset)));
        try {
            consumer.commitSync(commit);
            tracker.committed(offsets);
        } catch (WakeupException e) {
            throw e;
        } catch (RuntimeException e) {
            log.warn("commit of {} failed: {}; tried again at the next interval", offsets, e.toString());
        }
    }

    /** Holds reading while too many deliveries are held, so memory stays bounded. */
    private void throttle() {
        int queued = engine.queued();
        if (!paused && queued >= maxQueued) {
            consumer.pause(consumer.assignment());
            paused = true;
            log.info("{} deliveries held: reading paused", queued);
        } else if (paused && queued <= maxQueued / 2) {
            consumer.resume(consumer.paused());
            paused = false;
            log.info("{} deliveries held: reading resumed", queued);
        }
    }

    private void measureLag() {
        long total = 0;
        for (TopicPartition tp : consumer.assignment()) total += consumer.currentLag(tp).orElse(0);
        lag.set(total);
    }

    /** On a rebalance, what is done is committed and what is not is left to the partition's next owner. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            Map<TopicPartition, Long> offsets = new HashMap<>(tracker.committable());
            offsets.keySet().retainAll(partitions);
            commit(offsets);
            engine.cancel(partitions);
            tracker.revoke(partitions);
            if (paused) consumer.pause(consumer.assignment());
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            engine.cancel(partitions);
            tracker.revoke(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            assigned = true;
            if (paused) consumer.pause(partitions);
            log.info("reading account events from {}", partitions);
        }
    }

    @Override
    public void close() {
        closed = true;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
