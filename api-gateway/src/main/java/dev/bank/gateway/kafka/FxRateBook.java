package dev.bank.gateway.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bank.gateway.config.GatewayConfig;
import dev.bank.schemas.FxConversion;
import dev.bank.schemas.FxRate;
import dev.bank.schemas.Json;
import dev.bank.schemas.JsonSchemas;
import dev.bank.schemas.Money;
import dev.bank.schemas.Topic;
import dev.bank.schemas.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
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
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The exchange rates the gateway quotes, read whole from the compacted rates topic ({@code bank.fx-rates}) by every
 * gateway instance (no consumer group), so any instance answers any quote. It keeps each pair's newest rate (the
 * current one) and every rate by its id until its validity ends, so a quote stays usable until then even after the
 * pair moved on. A record that is not a valid rate (unparseable, breaking {@code fx-rate.schema.json}, a key that is
 * not its pair, a reused rateId) is not used: it is logged with its offset and reason and counted in
 * {@code bank.gateway.fx.rates.refused}. A tombstone (null value) withdraws its pair, and its quotes end then.
 */
public final class FxRateBook implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FxRateBook.class);
    /** A rate is a few hundred bytes; anything much larger is not one, and is refused before it is parsed. */
    static final int MAX_RECORD_BYTES = 4096;
    /**
     * How long an ended quote is still known: as long as a transfer made with it may be retried (the idempotency
     * retention, {@link Topics#idempotencyRetention()}), so the retry reaches the processor and gets the transfer's
     * first answer; a new transfer with it is refused there as expired. The rates topic keeps every record at least
     * as long ({@code min.compaction.lag.ms}), so a restarted gateway knows them too.
     */
    private final Duration rememberEnded;

    /** A usable rate: the record, its parsed rate and validity, and the offset it was read at. */
    public record Rate(FxRate record, BigDecimal value, Instant validFrom, Instant validUntil, long offset) {
        public boolean validAt(Instant now) {
            return !now.isBefore(validFrom) && !now.isAfter(validUntil);
        }
    }

    private final KafkaConsumer<String, byte[]> consumer;
    private final Topic<FxRate> topic;
    private final Clock clock;
    private final Map<String, Rate> current = new ConcurrentHashMap<>();
    private final Map<String, Rate> byId = new ConcurrentHashMap<>();
    private final Thread thread;
    private final CountDownLatch attached = new CountDownLatch(1);
    private volatile boolean ready;
    private volatile boolean closed;
    private MeterRegistry registry;

    public FxRateBook(GatewayConfig config, Clock clock) {
        this.topic = config.topics().fxRatesTopic();
        this.rememberEnded = config.topics().idempotencyRetention();
        this.clock = clock;
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "bank-gateway-fx-rates");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) config.kafkaTimeout().toMillis());
        config.kafkaSecurity().applyTo(p);
        this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, "fx-rates");
        this.thread.setDaemon(true);
    }

    public FxRateBook start(MeterRegistry metrics) {
        this.registry = metrics;
        Gauge.builder("bank.gateway.fx.rates", current, Map::size)
                .description("Currency pairs with a current rate").register(metrics);
        thread.start();
        return this;
    }

    /** Waits until the book has read the rates topic once; false when it did not within {@code timeout}. */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        return attached.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Null when the book reads the rates topic; otherwise what is wrong. */
    public String problem() {
        return ready ? null : "not yet reading " + topic.name();
    }

    /** The pair's current rate, if one is published (valid now or not: the caller tells which). */
    public Optional<Rate> current(String base, String quote) {
        return Optional.ofNullable(current.get(FxRate.key(base, quote)));
    }

    /** A rate by its id (a quote's id), while its validity lasts. */
    public Optional<Rate> byId(String rateId) {
        return Optional.ofNullable(byId.get(rateId));
    }

    /** Every pair's current rate, by pair. */
    public List<Rate> currentRates() {
        return current.values().stream().sorted(Comparator.comparing(r -> r.record().key())).toList();
    }

    /** Takes a rate this gateway published itself, at the offset the broker gave it, without waiting to read it. */
    public void published(FxRate rate, long offset) {
        String refused = refusal(rate.key(), rate);
        if (refused != null) throw new IllegalArgumentException(refused);
        apply(rate.key(), parsed(rate, offset));
    }

    private void run() {
        try {
            while (!closed) {
                if (!ready) {
                    ready = attach();
                    continue;
                }
                var records = consumer.poll(Duration.ofMillis(500));
                for (ConsumerRecord<String, byte[]> record : records) {
                    read(record);
                }
                if (attached.getCount() > 0 && caughtUp()) attached.countDown();
                forgetEnded();
            }
        } catch (WakeupException e) {
            if (!closed) throw e;
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private boolean attach() {
        return KafkaConnections.assignWhole(consumer, topic.name(), consumer::seekToBeginning, log,
                "reading exchange rates from");
    }

    private boolean caughtUp() {
        var assignment = consumer.assignment();
        Map<TopicPartition, Long> ends = consumer.endOffsets(assignment);
        return assignment.stream().allMatch(tp -> consumer.position(tp) >= ends.getOrDefault(tp, 0L));
    }

    void read(ConsumerRecord<String, byte[]> record) {
        String where = record.topic() + "-" + record.partition() + "@" + record.offset();
        if (record.value() == null) {
            if (record.key() != null) withdraw(record.key(), Instant.ofEpochMilli(record.timestamp()));
            return;
        }
        if (record.value().length > MAX_RECORD_BYTES) {
            refuse(where, "too-large", "a rate record is at most " + MAX_RECORD_BYTES + " bytes, this one "
                    + record.value().length);
            return;
        }
        FxRate rate;
        try {
            JsonNode json = Json.MAPPER.readTree(record.value());
            List<String> violations = json == null ? List.of("empty") : JsonSchemas.violations(JsonSchemas.FX_RATE, json);
            if (!violations.isEmpty()) {
                refuse(where, "schema", String.join("; ", violations));
                return;
            }
            rate = Json.MAPPER.treeToValue(json, FxRate.class);
        } catch (IOException e) {
            refuse(where, "unparseable", "not a JSON rate: " + e.getClass().getSimpleName());
            return;
        }
        String refused = refusal(record.key(), rate);
        if (refused != null) {
            refuse(where, "invalid", refused);
            return;
        }
        Rate known = byId.get(rate.rateId());
        if (known != null && known.offset() != record.offset() && !known.record().equals(rate)) {
            refuse(where, "reused-id", "rateId " + rate.rateId() + " was already published with other values");
            return;
        }
        apply(record.key(), parsed(rate, record.offset()));
        log.info("exchange rate {} {} rateId={} valid until {}", rate.key(), rate.rate(), rate.rateId(),
                rate.validUntil());
    }

    /** Why a rate that passed its schema cannot be used, or null. */
    static String refusal(String key, FxRate rate) {
        if (!rate.key().equals(key)) return "the record key " + key + " is not the rate's pair " + rate.key();
        if (rate.base().equals(rate.quote())) return "a rate converts between two different currencies";
        try {
            Money.currency(rate.base());
            Money.currency(rate.quote());
            FxConversion.rate(rate.rate());
            Instant until = OffsetDateTime.parse(rate.validUntil()).toInstant();
            if (rate.validFrom() != null && !OffsetDateTime.parse(rate.validFrom()).toInstant().isBefore(until)) {
                return "validFrom must be before validUntil";
            }
        } catch (Money.InvalidAmountException e) {
            return e.getMessage();
        } catch (DateTimeParseException e) {
            return "validFrom and validUntil must be ISO-8601 instants with an offset";
        }
        return null;
    }

    private static Rate parsed(FxRate rate, long offset) {
        Instant from = rate.validFrom() == null ? Instant.MIN : OffsetDateTime.parse(rate.validFrom()).toInstant();
        return new Rate(rate, FxConversion.rate(rate.rate()), from, OffsetDateTime.parse(rate.validUntil()).toInstant(),
                offset);
    }

    /** The newest record of a pair is its current rate; one read again (or published here first) changes nothing. */
    private void apply(String pair, Rate rate) {
        byId.putIfAbsent(rate.record().rateId(), rate);
        current.merge(pair, rate, (old, now) -> now.offset() >= old.offset() ? now : old);
    }

    /**
     * A tombstone: the pair is no longer quoted, and its quotes end when it was withdrawn. They stay known, so a
     * retry of a transfer made before still reaches the processor (and gets its first answer), while a new transfer
     * with one is refused there as expired.
     */
    private void withdraw(String pair, Instant at) {
        current.remove(pair);
        byId.replaceAll((id, r) -> !r.record().key().equals(pair) || !r.validUntil().isAfter(at) ? r
                : new Rate(r.record(), r.value(), r.validFrom(), at, r.offset()));
        log.info("exchange rate {} withdrawn at {}", pair, at);
    }

    /** Quotes ended for longer than {@link #rememberEnded} are forgotten; a pair's current rate stays, to say it is stale. */
    private void forgetEnded() {
        Instant forgetBefore = clock.instant().minus(rememberEnded);
        byId.values().removeIf(r -> r.validUntil().isBefore(forgetBefore));
    }

    private void refuse(String where, String reason, String detail) {
        // the detail may echo the record: bounded, so a hostile record cannot flood the log
        log.warn("exchange rate record refused at {}: {}", where,
                detail.length() > 300 ? detail.substring(0, 300) + "..." : detail);
        if (registry != null) {
            Counter.builder("bank.gateway.fx.rates.refused").description("Rate records not used, by reason")
                    .tag("reason", reason).register(registry).increment();
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
