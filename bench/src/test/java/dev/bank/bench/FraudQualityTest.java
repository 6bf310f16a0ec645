package dev.bank.bench;

import dev.bank.bench.FraudWorkload.Pattern;
import dev.bank.processor.config.FraudConfig;
import dev.bank.schemas.FraudRule;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How well the fraud rules, at their default thresholds, tell fraud from honest customers: labelled synthetic activity
 * ({@link FraudWorkload}) through the whole topology ({@link FraudReplay}), scored per rule and per pattern
 * ({@link FraudScore}). The floors are what the rules reached when this test was written, less a margin; they say
 * where the rules stand, weak spots included, and fail when a change makes them worse. The table is printed with the
 * test's output.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FraudQualityTest {
    /** Six weeks of 160 customers (two weeks of history), ten incidents of each pattern: about 18,000 commands. */
    static final FraudWorkload.Settings SETTINGS = new FraudWorkload.Settings(20250303L, 160, 42, 14, 10);
    static final Instant START = Instant.parse("2025-03-03T00:00:00Z");

    private FraudWorkload workload;
    private FraudScore score;

    @BeforeAll
    void replay(@TempDir Path dir) {
        workload = FraudWorkload.generate(SETTINGS, START, "fq");
        FraudReplay.Run run = FraudReplay.replay(workload, FraudConfig.defaults(), dir);
        score = FraudScore.of(workload.commands(), run.observed());
        System.out.println("fraud rules at their defaults on " + workload.commands().size() + " labelled commands:");
        score.lines().forEach(System.out::println);
    }

    @Test
    void everyPaymentIsDecidedAndOnlyTheRulesRefuseAny() {
        assertThat(score.problems()).isEmpty();
        assertThat(score.overall().fraud()).isGreaterThan(200);
        assertThat(score.overall().honest()).isGreaterThan(9_000);
    }

    @Test
    void everyIncidentIsNoticedAndMostFraudulentPaymentsAreStopped() {
        for (Pattern p : Pattern.values()) {
            if (!p.fraud()) continue;
            FraudScore.PatternRow row = score.pattern(p);
            assertThat(row.incidents()).as(p + " incidents").isEqualTo(SETTINGS.incidentsPerPattern());
            assertThat(row.incidentsCaught()).as(p + " incidents caught").isEqualTo(row.incidents());
        }
        assertThat(score.overall().recall()).isGreaterThanOrEqualTo(0.65);
        // the velocity rule lets the first 8 debits of a takeover through (BANK_FRAUD_VELOCITY_MAX_COUNT) by design
        assertThat(score.pattern(Pattern.VELOCITY).recall()).isGreaterThanOrEqualTo(0.50);
        assertThat(score.pattern(Pattern.LARGE_AMOUNT).recall()).isGreaterThanOrEqualTo(0.95);
        assertThat(score.pattern(Pattern.DAILY_OUTFLOW).recall()).isGreaterThanOrEqualTo(0.90);
        assertThat(score.pattern(Pattern.NEW_PAYEE).recall()).isGreaterThanOrEqualTo(0.95);
        assertThat(score.pattern(Pattern.MULE).recall()).isGreaterThanOrEqualTo(0.75);
        // the first two payments just under the threshold pass unless another rule holds them
        assertThat(score.pattern(Pattern.STRUCTURING).recall()).isGreaterThanOrEqualTo(0.75);
    }

    @Test
    void whatTheRulesStopIsOftenHonest() {
        assertThat(score.overall().precision()).isGreaterThanOrEqualTo(0.40);
        assertThat(score.overall().honestFlagged() * 1000.0 / score.overall().honest()).isLessThanOrEqualTo(30);
        assertThat(score.overall().honestDeclined()).isLessThanOrEqualTo(score.overall().honestFlagged() / 10);
        // a payroll batch is as quick as a takeover
        assertThat(score.rule(FraudRule.VELOCITY).precision()).isGreaterThanOrEqualTo(0.90);
        // a car bought from a dealer never paid before is a new payee
        assertThat(score.rule(FraudRule.NEW_PAYEE).precision()).isGreaterThanOrEqualTo(0.70);
        assertThat(score.rule(FraudRule.STRUCTURING).precision()).isGreaterThanOrEqualTo(0.90);
        // the weak ones: a business's payroll or busy day goes over the cap; rent, savings and a tradesman are many
        // times a card payment; a business pays out what came in
        assertThat(score.rule(FraudRule.DAILY_OUTFLOW).precision()).isGreaterThanOrEqualTo(0.20);
        assertThat(score.rule(FraudRule.LARGE_AMOUNT).precision()).isGreaterThanOrEqualTo(0.30);
        assertThat(score.rule(FraudRule.MULE).precision()).isGreaterThanOrEqualTo(0.10);
    }

    @Test
    void theSameSeedDecidesTheSameByteForByte(@TempDir Path dir) {
        FraudWorkload.Settings small = new FraudWorkload.Settings(7L, 30, 35, 14, 2);
        FraudReplay.Run first = FraudReplay.replay(FraudWorkload.generate(small, START, "fd"), FraudConfig.defaults(),
                dir.resolve("first"));
        FraudReplay.Run second = FraudReplay.replay(FraudWorkload.generate(small, START, "fd"),
                FraudConfig.defaults(), dir.resolve("second"));

        assertThat(first.alerts()).isNotEmpty();
        assertThat(bytes(second.results())).isEqualTo(bytes(first.results()));
        assertThat(bytes(second.alerts())).isEqualTo(bytes(first.alerts()));
    }

    /** Each record as key, value and timestamp, comparable byte for byte. */
    private static List<String> bytes(List<TestRecord<String, byte[]>> records) {
        return records.stream().map(r -> r.key() + "|" + r.timestamp() + "|"
                + java.util.HexFormat.of().formatHex(r.value())).toList();
    }
}
