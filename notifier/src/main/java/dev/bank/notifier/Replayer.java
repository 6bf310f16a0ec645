package dev.bank.notifier;

import dev.bank.schemas.Topic;
import dev.bank.schemas.WebhookDeadLetter;
import dev.bank.schemas.WebhookReplay;
import dev.bank.schemas.WebhookSubscription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Replays: on a {@link WebhookReplay} (written by the gateway for {@code POST /webhooks/{id}/replay}) it reads the
 * dead-letter topic from the first record at or after {@code since} ({@code offsetsForTimes}) to its end as of then,
 * and hands that subscription's dead letters back to the {@link DeliveryEngine}, with fresh attempts, in event order
 * per account and each event once (a letter dead-lettered twice is sent once). The replay's offset is committed when
 * every one of them is delivered or dead-lettered again, so a replay interrupted by a crash is done again. One replay
 * at a time, in its own consumer group ({@code <group>-replays}), on its own thread.
 */
final class Replayer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Replayer.class);

    private final NotifierConfig config;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Topic<WebhookReplay> replays;
    private final Topic<WebhookDeadLetter> deadLetters;
    private final SubscriptionView view;
    private final DeliveryEngine engine;
    private final Thread thread;
    private volatile boolean closed;

    Replayer(NotifierConfig config, SubscriptionView view, DeliveryEngine engine) {
        this.config = config;
        this.replays = config.topics().webhookReplaysTopic();
        this.deadLetters = config.topics().webhookDeadLettersTopic();
        this.view = view;
        this.engine = engine;
        Properties p = consumerProperties(config, "bank-notifier-replays");
        p.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId() + "-replays");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) config.sessionTimeout().toMillis());
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) config.sessionTimeout().toMillis() / 3);
        this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, "notifier-replays");
        this.thread.setDaemon(true);
    }

    private static Properties consumerProperties(NotifierConfig config, String clientId) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.kafkaSecurity().applyTo(p);
        return p;
    }

    Replayer start() {
        thread.start();
        return this;
    }

    private void run() {
        try {
            while (!closed && !view.awaitReady(Duration.ofSeconds(1))) {
                // the subscriptions first: a replay names one
            }
            consumer.subscribe(List.of(replays.name()));
            while (!closed) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    replay(record);
                    consumer.commitSync(Map.of(new TopicPartition(record.topic(), record.partition()),
                            new OffsetAndMetadata(record.offset() + 1)));
                }
            }
        } catch (WakeupException e) {
            if (!closed) throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("the replayer failed; replays are no longer read", e);
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private void replay(ConsumerRecord<String, byte[]> record) throws InterruptedException {
        WebhookReplay replay;
        try {
            replay = replays.deserialize(record.value());
            if (replay == null || replay.subscriptionId() == null) throw new IllegalArgumentException("incomplete");
        } catch (RuntimeException e) {
            log.warn("replay record at {}@{} is not readable; skipped", record.topic(), record.offset());
            return;
        }
        Optional<WebhookSubscription> subscription = view.get(replay.subscriptionId());
        if (subscription.isEmpty()) {
            log.info("replay {} of webhook {}: no such subscription (deleted); nothing to do", replay.replayId(),
                    replay.subscriptionId());
            return;
        }
        List<WebhookDeadLetter> letters = deadLettersOf(replay);
        log.info("replay {} of webhook {}: {} dead letters since {}", replay.replayId(), replay.subscriptionId(),
                letters.size(), replay.since() == null ? "the start" : java.time.Instant.ofEpochMilli(replay.since()));
        AtomicInteger left = new AtomicInteger(letters.size());
        for (WebhookDeadLetter letter : letters) {
            engine.submit(letter.subscriptionId(), letter.event(), null, left::decrementAndGet);
        }
        // keeps the group membership alive (poll) while the deliveries run, reading nothing meanwhile
        consumer.pause(consumer.assignment());
        while (left.get() > 0 && !closed) consumer.poll(Duration.ofMillis(200));
        consumer.resume(consumer.paused());
        if (!closed) log.info("replay {} of webhook {} done", replay.replayId(), replay.subscriptionId());
        else throw new WakeupException();
    }

    /** The subscription's dead letters written from {@code since} until now, each event once, in event order. */
    private List<WebhookDeadLetter> deadLettersOf(WebhookReplay replay) {
        Map<String, WebhookDeadLetter> byEvent = new LinkedHashMap<>();
        try (KafkaConsumer<String, byte[]> reader = new KafkaConsumer<>(consumerProperties(config,
                "bank-notifier-dead-letters"), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = reader.partitionsFor(deadLetters.name()).stream()
                    .map(info -> new TopicPartition(deadLetters.name(), info.partition())).toList();
            reader.assign(partitions);
            Map<TopicPartition, Long> ends = reader.endOffsets(partitions);
            if (replay.since() == null) {
                reader.seekToBeginning(partitions);
            } else {
                Map<TopicPartition, Long> times = new HashMap<>();
                partitions.forEach(tp -> times.put(tp, replay.since()));
                Map<TopicPartition, OffsetAndTimestamp> from = reader.offsetsForTimes(times);
                for (TopicPartition tp : partitions) {
                    OffsetAndTimestamp at = from.get(tp);
                    reader.seek(tp, at == null ? ends.get(tp) : at.offset());
                }
            }
            while (partitions.stream().anyMatch(tp -> reader.position(tp) < ends.get(tp)) && !closed) {
                for (ConsumerRecord<String, byte[]> r : reader.poll(Duration.ofMillis(500))) {
                    if (r.offset() >= ends.get(new TopicPartition(r.topic(), r.partition()))) continue;
                    try {
                        WebhookDeadLetter letter = deadLetters.deserialize(r.value());
                        if (letter != null && replay.subscriptionId().equals(letter.subscriptionId())
                                && letter.event() != null) {
                            byEvent.put(letter.event().eventId(), letter);
                        }
                    } catch (RuntimeException e) {
                        log.warn("dead letter at {}-{}@{} is not readable; skipped", r.topic(), r.partition(),
                                r.offset());
                    }
                }
            }
        }
        return byEvent.values().stream().sorted(Comparator.comparing((WebhookDeadLetter l) -> l.event().accountId())
                .thenComparingLong(l -> l.event().sequence())).toList();
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
