package dev.bank.gateway.kafka;

import dev.bank.gateway.config.GatewayConfig;
import dev.bank.schemas.FxRate;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rate book's reading of rate records, fed records directly (reading them from a real broker, with kcat as the
 * producer: {@code FxIT}). The consumer is created but never polled here.
 */
class FxRateBookTest {
    private static final String UNTIL = "2026-11-28T12:00:00Z";
    private FxRateBook book;
    private SimpleMeterRegistry registry;
    private long offset;

    @BeforeEach
    void create() {
        registry = new SimpleMeterRegistry();
        book = new FxRateBook(GatewayConfig.fromEnv(Map.of()),
                Clock.fixed(Instant.parse("2026-11-28T10:00:00Z"), ZoneOffset.UTC));
    }

    @AfterEach
    void close() {
        book.close();
    }

    private void read(String key, String value) {
        book.read(new ConsumerRecord<>("bank.fx-rates", 0, offset++, key,
                value == null ? null : value.getBytes(StandardCharsets.UTF_8)));
    }

    private static String rate(String id, String base, String quote, String rate) {
        return "{\"rateId\":\"" + id + "\",\"base\":\"" + base + "\",\"quote\":\"" + quote + "\",\"rate\":\"" + rate
                + "\",\"validUntil\":\"" + UNTIL + "\"}";
    }

    @Test
    void theNewestRecordOfAPairIsItsRateAndOlderQuotesStayUsable() {
        read("EUR:USD", rate("r-1", "EUR", "USD", "1.08"));
        read("EUR:USD", rate("r-2", "EUR", "USD", "1.09"));
        assertThat(book.current("EUR", "USD")).get().extracting(r -> r.record().rateId()).isEqualTo("r-2");
        assertThat(book.byId("r-1")).get().extracting(r -> r.record().rate()).isEqualTo("1.08");
        // the same record read again (a restart re-reads the topic) changes nothing
        book.published(new FxRate("r-2", "EUR", "USD", "1.09", null, UNTIL), 1);
        assertThat(book.current("EUR", "USD")).get().extracting(r -> r.record().rateId()).isEqualTo("r-2");
        // a tombstone withdraws the pair; its quotes end when it did, but stay known (a retry still reaches the bank)
        book.read(new ConsumerRecord<>("bank.fx-rates", 0, offset++, 1_795_860_000_000L,
                org.apache.kafka.common.record.TimestampType.CREATE_TIME, 0, 0, "EUR:USD", null,
                new org.apache.kafka.common.header.internals.RecordHeaders(), java.util.Optional.empty()));
        assertThat(book.current("EUR", "USD")).isEmpty();
        assertThat(book.byId("r-1")).get().extracting(FxRateBook.Rate::validUntil)
                .isEqualTo(Instant.ofEpochMilli(1_795_860_000_000L));
    }

    @Test
    void refusesRecordsThatAreNotRatesAndCountsThem() {
        book.start(registry);
        read("EUR:USD", "{not json");
        read("EUR:USD", "[]");
        read("EUR:GBP", rate("r-3", "EUR", "USD", "1.1"));
        read("EUR:EUR", rate("r-4", "EUR", "EUR", "1"));
        read("EUR:USD", rate("r-5", "EUR", "USD", "0"));
        read("EUR:USD", rate("r-6", "EUR", "USD", "1e3"));
        read("EUR:XYZ", rate("r-7", "EUR", "XYZ", "1.1"));
        read("EUR:USD", "{\"rateId\":\"r-8\",\"base\":\"EUR\",\"quote\":\"USD\",\"rate\":\"1.1\",\"validUntil\":\"x\"}");
        read("EUR:USD", "{\"rateId\":\"r-9\",\"base\":\"EUR\",\"quote\":\"USD\",\"rate\":\"1.1\",\"validUntil\":\""
                + UNTIL + "\",\"validFrom\":\"2026-11-28T13:00:00Z\"}");
        read("EUR:USD", "{\"rateId\":\"r-10\",\"base\":\"EUR\",\"quote\":\"USD\",\"rate\":\"1.1\",\"validUntil\":\""
                + UNTIL + "\",\"extra\":\"" + "x".repeat(5000) + "\"}");
        read("EUR:USD", rate("r-11", "EUR", "USD", "1.1"));
        read("USD:EUR", rate("r-11", "USD", "EUR", "0.9"));
        assertThat(book.currentRates()).extracting(r -> r.record().rateId()).containsExactly("r-11");
        assertThat(registry.find("bank.gateway.fx.rates.refused").counters().stream()
                .mapToDouble(c -> c.count()).sum()).isEqualTo(11);
        assertThat(registry.get("bank.gateway.fx.rates.refused").tag("reason", "reused-id").counter().count())
                .isEqualTo(1);
        assertThat(registry.get("bank.gateway.fx.rates.refused").tag("reason", "too-large").counter().count())
                .isEqualTo(1);
    }

    @Test
    void aRateIsValidFromItsValidFromThroughItsValidUntil() {
        read("EUR:USD", "{\"rateId\":\"r-1\",\"base\":\"EUR\",\"quote\":\"USD\",\"rate\":\"1.1\",\"validFrom\":"
                + "\"2026-11-28T11:00:00Z\",\"validUntil\":\"" + UNTIL + "\"}");
        FxRateBook.Rate r = book.byId("r-1").orElseThrow();
        assertThat(r.validAt(Instant.parse("2026-11-28T10:59:59.999Z"))).isFalse();
        assertThat(r.validAt(Instant.parse("2026-11-28T11:00:00Z"))).isTrue();
        assertThat(r.validAt(Instant.parse(UNTIL))).isTrue();
        assertThat(r.validAt(Instant.parse(UNTIL).plusMillis(1))).isFalse();
    }
}
