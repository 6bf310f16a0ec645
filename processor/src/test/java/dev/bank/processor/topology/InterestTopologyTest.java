package dev.bank.processor.topology;

import static dev.bank.processor.topology.TopologyTests.COMMANDS;
import static dev.bank.processor.topology.TopologyTests.LEDGER;
import static dev.bank.processor.topology.TopologyTests.OUTCOMES;
import static dev.bank.processor.topology.TopologyTests.ONE_PARTITION;
import dev.bank.processor.config.HousekeepingConfig;
import dev.bank.processor.config.InterestConfig;
import dev.bank.processor.config.ProcessorConfig;
import dev.bank.schemas.Account;
import dev.bank.schemas.Command;
import dev.bank.schemas.EntryType;
import dev.bank.schemas.HistoryEntry;
import dev.bank.schemas.HistoryPage;
import dev.bank.schemas.LedgerEntry;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.OutcomeStatus;
import dev.bank.schemas.Statement;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Interest under {@link TopologyTestDriver} with the production exactly_once_v2 configuration, driven by the wall
 * clock ({@code advanceWallClockTime}) as in production: the punctuation appends an interest tick to the processor's
 * internal topic, the driver feeds it back, and the task accrues every ended business day. Also the history store's pages and
 * statements, since they are what interest is computed from.
 */
class InterestTopologyTest {
    private static final ZoneId UTC = ZoneId.of("UTC");

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> commands;
    private TestOutputTopic<String, byte[]> deadLetters;
    /** The processor's internal topic, where its interest ticks go (the driver feeds them back). */
    private TestInputTopic<String, byte[]> internal;
    private TestOutputTopic<String, Outcome> results;
    private TestOutputTopic<String, LedgerEntry> ledger;
    private InterestLogic interest;

    private void start(Instant wallClock, ZoneId zone, InterestConfig.Posting posting) {
        start(wallClock, zone, posting, Duration.ofDays(400));
    }

    private void start(Instant wallClock, ZoneId zone, InterestConfig.Posting posting, Duration retention) {
        start(wallClock, zone, posting, retention, HousekeepingConfig.defaults(), stateDir);
    }

    private void start(Instant wallClock, ZoneId zone, InterestConfig.Posting posting, Duration retention,
                       HousekeepingConfig housekeeping, Path dir) {
        InterestConfig settings = new InterestConfig(BigDecimal.ZERO, zone, posting, retention, Duration.ofMinutes(1));
        ProcessorConfig config = ProcessorConfig.fromEnv(ONE_PARTITION).withStateDir(dir).withInterest(settings)
                .withHousekeeping(housekeeping);

        interest = new InterestLogic(settings);
        driver = new TopologyTestDriver(BankTopology.build(config,
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry()), config.streamsProperties(), wallClock);
        commands = driver.createInputTopic(config.topics().commands(), new StringSerializer(), new ByteArraySerializer());
        internal = driver.createInputTopic(config.topics().rerouted(), new StringSerializer(), new ByteArraySerializer());
        results = driver.createOutputTopic(config.topics().results(), new StringDeserializer(), OUTCOMES.valueSerde());
        ledger = driver.createOutputTopic(config.topics().ledger(), new StringDeserializer(), LEDGER.valueSerde());
        deadLetters = driver.createOutputTopic(config.topics().deadLetter(), new StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer());
        rerouted = driver.createOutputTopic(config.topics().rerouted(), new StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer());
    }

    /** What the processor wrote to its internal topic: ticks and the interest walk's continuations. */
    private TestOutputTopic<String, byte[]> rerouted;

    @AfterEach
    void closeDriver() {
        if (driver != null) driver.close();
    }

    private Outcome send(Command command, Instant at) {
        commands.pipeInput(command.accountId(), COMMANDS.serialize(command), at);
        List<Outcome> outcomes = results.readValuesToList();
        assertThat(outcomes).hasSize(1);
        return outcomes.get(0);
    }

    /** Moves the wall clock to {@code to}; the punctuation sends a tick when a business day has ended. */
    private void wallClockTo(Instant to) {
        driver.advanceWallClockTime(Duration.between(currentWallClock, to));
        currentWallClock = to;
    }

    private Instant currentWallClock;

    private void startAt(Instant wallClock, ZoneId zone, InterestConfig.Posting posting) {
        currentWallClock = wallClock;
        start(wallClock, zone, posting);
    }

    private List<LedgerEntry> interestEntries() {
        return ledger.readValuesToList().stream().filter(e -> e.type() == EntryType.INTEREST).toList();
    }

    private Account account(String id) {
        KeyValueStore<String, Account> store = driver.getKeyValueStore(BankTopology.ACCOUNTS_STORE);
        return store.get(id);
    }

    private KeyValueStore<String, dev.bank.schemas.Hold> holdStore() {
        return driver.getKeyValueStore(BankTopology.HOLDS_STORE);
    }

    private KeyValueStore<String, HistoryEntry> historyStore() {
        return driver.getKeyValueStore(BankTopology.HISTORY_STORE);
    }

    private static Instant utc(String localDateTime) {
        return LocalDateTime.parse(localDateTime).atZone(UTC).toInstant();
    }

    @Test
    void paysEachDaysInterestOnItsEndOfDayBalanceAcrossAMonthEndAndCompoundsDaily() {
        // Given an account opened on 30 January at 3.65% (1000.00 EUR earns exactly 0.10 a day)
        startAt(utc("2025-01-30T08:00:00"), UTC, InterestConfig.Posting.DAILY);
        send(Command.open("open", "alice", "EUR", "1000", "0.0365"), utc("2025-01-30T09:00:00"));
        ledger.readValuesToList();
        // When the wall clock passes midnight three times (30 Jan, 31 Jan, 1 Feb end)
        wallClockTo(utc("2025-01-31T00:00:30"));
        wallClockTo(utc("2025-02-01T00:00:30"));
        wallClockTo(utc("2025-02-02T00:00:30"));
        // Then each day is paid once, dated on its own last millisecond, on the balance including earlier interest
        List<LedgerEntry> paid = interestEntries();
        assertThat(paid).extracting(LedgerEntry::transactionId)
                .containsExactly("interest:2025-01-30", "interest:2025-01-31", "interest:2025-02-01");
        assertThat(paid).extracting(LedgerEntry::amountMinor).containsExactly(10L, 10L, 10L);
        assertThat(paid.get(1).timestamp()).isEqualTo(utc("2025-01-31T23:59:59.999").toEpochMilli());
        assertThat(paid.get(2).balanceAfterMinor()).isEqualTo(100_030);
        // 100010 * 0.0365 / 365 = 10.001 and 100020 * ... = 10.002: the fractions are carried, not lost
        assertThat(account("alice").accruedInterest()).isEqualTo("0.003");
        assertThat(account("alice").lastAccruedDate()).isEqualTo(LocalDate.of(2025, 2, 1));
        // and the January statement holds January's interest, February's the 1st
        Statement january = History.statement(historyStore(), holdStore(), account("alice"), YearMonth.of(2025, 1), interest);
        assertThat(january.interestPaidMinor()).isEqualTo(20);
        assertThat(january.openingBalanceMinor()).isZero();
        assertThat(january.closingBalanceMinor()).isEqualTo(100_020);
        Statement february = History.statement(historyStore(), holdStore(), account("alice"), YearMonth.of(2025, 2), interest);
        assertThat(february.openingBalanceMinor()).isEqualTo(100_020);
        assertThat(february.entries()).extracting(h -> h.entry().transactionId()).containsExactly("interest:2025-02-01");
    }

    @Test
    void accruesTheTwentyNinthOfFebruaryInALeapYearAsAnOrdinaryDayOfActualOver365() {
        // Given an account opened on 28 February 2024 at 3.65% (0.10 a day on 1000.00)
        startAt(utc("2024-02-28T08:00:00"), UTC, InterestConfig.Posting.DAILY);
        send(Command.open("open", "leap", "EUR", "1000", "0.0365"), utc("2024-02-28T09:00:00"));
        // When the processor looks at the clock on 1 March
        wallClockTo(utc("2024-03-01T00:05:00"));
        // Then 28 and 29 February are both paid
        assertThat(interestEntries()).extracting(LedgerEntry::transactionId)
                .containsExactly("interest:2024-02-28", "interest:2024-02-29");
    }

    @Test
    void cutsBusinessDaysAtLocalMidnightAcrossTheSpringDaylightSavingChange() {
        // Given the business zone Europe/Berlin, where 30 March 2025 has 23 hours (CET -> CEST at 02:00)
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        startAt(Instant.parse("2025-03-29T10:00:00Z"), berlin, InterestConfig.Posting.DAILY);
        send(Command.open("open", "dst", "EUR", null, "0.365"), Instant.parse("2025-03-29T11:00:00Z"));
        // When 1000.00 arrives at 23:30 CEST on the 30th and 1000.00 more at 00:30 CEST on the 31st
        send(Command.credit("c-1", "dst", "1000"), Instant.parse("2025-03-30T21:30:00Z"));
        send(Command.credit("c-2", "dst", "1000"), Instant.parse("2025-03-30T22:30:00Z"));
        wallClockTo(Instant.parse("2025-03-31T22:00:30Z")); // 00:00:30 CEST on 1 April
        // Then the 30th earns on 1000.00 only (0.1% a day = 1.00) and ends at 23:59:59.999 CEST = 21:59:59.999Z
        List<LedgerEntry> paid = interestEntries();
        assertThat(paid).extracting(LedgerEntry::transactionId)
                .containsExactly("interest:2025-03-30", "interest:2025-03-31");
        assertThat(paid.get(0).amountMinor()).isEqualTo(100);
        assertThat(paid.get(0).timestamp()).isEqualTo(Instant.parse("2025-03-30T21:59:59.999Z").toEpochMilli());
        // and the 31st earns on 2001.00 (200100 * 0.001 = 200.1 minor units: 200 paid, 0.1 carried)
        assertThat(paid.get(1).amountMinor()).isEqualTo(200);
        assertThat(account("dst").accruedInterest()).isEqualTo("0.1");
        // and the 29th, with a zero balance, earned nothing and posted nothing
        assertThat(account("dst").lastAccruedDate()).isEqualTo(LocalDate.of(2025, 3, 31));
    }

    @Test
    void catchesUpEveryMissedDayInOrderAfterDowntimeCountingQueuedCommandsOnTheirOwnDays() {
        // Given an account with 1000.00 at 3.65% on 1 March, and a processor that sees no wall clock until the 6th
        startAt(utc("2025-03-01T08:00:00"), UTC, InterestConfig.Posting.DAILY);
        send(Command.open("open", "bob", "EUR", "1000", "0.0365"), utc("2025-03-01T09:00:00"));
        // and a credit sent on the 3rd while it was down (queued in the log before any tick)
        send(Command.credit("queued", "bob", "1000"), utc("2025-03-03T12:00:00"));
        // When it comes back on the 6th
        wallClockTo(utc("2025-03-06T07:00:00"));
        // Then 1 to 5 March are each paid once, in date order, the 3rd onwards on 2000.00 and more
        List<LedgerEntry> entries = ledger.readValuesToList();
        assertThat(entries).extracting(LedgerEntry::transactionId).containsExactly("open",
                "interest:2025-03-01", "interest:2025-03-02", "queued",
                "interest:2025-03-03", "interest:2025-03-04", "interest:2025-03-05");
        assertThat(entries).extracting(LedgerEntry::sequence).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
        assertThat(entries.get(4).amountMinor()).isEqualTo(20);
        // When the clock moves on within the same day, and a tick is replayed (as after a crash)
        wallClockTo(utc("2025-03-06T18:00:00"));
        internal.pipeInput(new TestRecord<>(InterestTicks.KEY, "0".getBytes(StandardCharsets.UTF_8),
                new RecordHeaders().add(InterestTicks.HEADER, "2025-03-06".getBytes(StandardCharsets.UTF_8)),
                utc("2025-03-06T18:00:01")));
        // Then nothing is paid twice
        assertThat(interestEntries()).isEmpty();
        assertThat(account("bob").lastAccruedDate()).isEqualTo(LocalDate.of(2025, 3, 5));
    }

    @Test
    void deadLettersAnInterestTickForgedOnThePublicCommandsTopicAndPaysNothingEarly() {
        // Given an account at 3.65% on 1 March
        startAt(utc("2025-03-01T08:00:00"), UTC, InterestConfig.Posting.DAILY);
        send(Command.open("open", "bob", "EUR", "1000", "0.0365"), utc("2025-03-01T09:00:00"));
        ledger.readValuesToList();
        // When someone who may send commands forges a tick stamped ten days ahead
        commands.pipeInput(new TestRecord<>(InterestTicks.KEY, "0".getBytes(StandardCharsets.UTF_8),
                new RecordHeaders().add(InterestTicks.HEADER, "2025-03-11".getBytes(StandardCharsets.UTF_8)),
                utc("2025-03-11T00:00:01")));
        // Then it is dead-lettered and no interest is paid ahead of time
        assertThat(deadLetters.readRecordsToList()).hasSize(1);
        assertThat(interestEntries()).isEmpty();
        assertThat(account("bob").lastAccruedDate()).isEqualTo(LocalDate.of(2025, 2, 28));
    }

    @Test
    void appliesANewRateFromTheDayItIsSetAndPostsTheMonthOnceWithMonthlyPosting() {
        // Given monthly posting and 1000.00 at 3.65% (0.10 a day) from 1 March
        startAt(utc("2025-03-01T00:00:30"), UTC, InterestConfig.Posting.MONTHLY);
        send(Command.open("open", "carol", "EUR", "1000", "0.0365"), utc("2025-03-01T00:01:00"));
        // When the rate is doubled on the 16th and the month ends
        Outcome changed = send(Command.setInterestRate("rate-1", "carol", "0.0730"), utc("2025-03-16T09:00:00"));
        wallClockTo(utc("2025-04-01T00:00:30"));
        // Then the change is accepted with the canonical rate, 15 days accrued before it at the old rate
        assertThat(changed.status()).isEqualTo(OutcomeStatus.ACCEPTED);
        assertThat(changed.interestRate()).isEqualTo("0.073");
        // and one posting on 31 March: 15 days * 10 + 16 days * 20 = 470 minor units
        List<LedgerEntry> paid = interestEntries();
        assertThat(paid).extracting(LedgerEntry::transactionId).containsExactly("interest:2025-03-31");
        assertThat(paid.get(0).amountMinor()).isEqualTo(470);
        assertThat(account("carol").accruedInterest()).isEqualTo("0");
    }

    @Test
    void refusesAnAbsurdOrNegativeRateAndLeavesTheAccountAsItWas() {
        startAt(utc("2025-03-01T08:00:00"), UTC, InterestConfig.Posting.DAILY);
        send(Command.open("open", "dave", "EUR", "10", "0.01"), utc("2025-03-01T09:00:00"));
        Outcome tooHigh = send(Command.setInterestRate("rate-1", "dave", "2.5"), utc("2025-03-01T10:00:00"));
        assertThat(tooHigh.status()).isEqualTo(OutcomeStatus.REJECTED);
        assertThat(tooHigh.detail()).contains("above 1");
        Outcome openedBadly = send(Command.open("open-2", "erin", "EUR", null, "1.5"), utc("2025-03-01T10:00:01"));
        assertThat(openedBadly.status()).isEqualTo(OutcomeStatus.REJECTED);
        assertThat(account("dave").interestRate()).isEqualTo("0.01");
        assertThat(account("erin")).isNull();
    }

    @Test
    void aYearOfDailyPostingsMatchesTheCompoundedAnnualFigureWithinOneMinorUnit() {
        // Given 10,000.00 EUR at 2.5% opened on 1 January 2025 (not a leap year)
        startAt(utc("2025-01-01T00:00:30"), UTC, InterestConfig.Posting.DAILY);
        send(Command.open("open", "year", "EUR", "10000", "0.025"), utc("2025-01-01T00:01:00"));
        // When the processor sees every midnight of the year
        for (LocalDate day = LocalDate.of(2025, 1, 2); !day.isAfter(LocalDate.of(2026, 1, 1)); day = day.plusDays(1)) {
            wallClockTo(day.atTime(0, 0, 30).atZone(UTC).toInstant());
        }
        // Then 365 postings were made, and their sum is the exact daily-compounded figure within one cent:
        // 1,000,000 * ((1 + 0.025/365)^365 - 1) = 25,314.37... minor units
        List<LedgerEntry> paid = interestEntries();
        assertThat(paid).hasSize(365);
        long total = paid.stream().mapToLong(LedgerEntry::amountMinor).sum();
        BigDecimal exact = BigDecimal.ONE.add(new BigDecimal("0.025").divide(BigDecimal.valueOf(365), MathContext.DECIMAL128))
                .pow(365, MathContext.DECIMAL128).subtract(BigDecimal.ONE).multiply(BigDecimal.valueOf(1_000_000));
        assertThat(BigDecimal.valueOf(total).subtract(exact).abs()).isLessThan(BigDecimal.ONE);
        System.out.printf("a year of daily postings: %d minor units; exact compounded %s; simple annual 25000%n",
                total, exact.setScale(4, RoundingMode.HALF_EVEN));
        // and the year's statements chain: each month's closing is the next one's opening, opening + entries = closing
        long opening = 0;
        for (int m = 1; m <= 12; m++) {
            Statement s = History.statement(historyStore(), holdStore(), account("year"), YearMonth.of(2025, m), interest);
            assertThat(s.openingBalanceMinor()).isEqualTo(opening);
            long sum = s.entries().stream().mapToLong(h -> h.entry().type().sign() * h.entry().amountMinor()).sum();
            assertThat(s.openingBalanceMinor() + sum).isEqualTo(s.closingBalanceMinor());
            opening = s.closingBalanceMinor();
        }
        assertThat(opening).isEqualTo(1_000_000 + total);
    }

    @Test
    void pagesHistoryNewestFirstWithACursorAndATimeWindow() {
        // Given an account with five postings on five days
        startAt(utc("2025-05-01T08:00:00"), UTC, InterestConfig.Posting.DAILY);
        send(Command.open("open", "frank", "EUR", "100", null), utc("2025-05-01T09:00:00"));
        for (int i = 2; i <= 5; i++) {
            send(Command.credit("c-" + i, "frank", String.valueOf(i)), utc("2025-05-0" + i + "T09:00:00"));
        }
        Account frank = account("frank");
        // When reading two at a time
        HistoryPage first = History.page(historyStore(), holdStore(), frank, Long.MIN_VALUE, Long.MAX_VALUE, 2, null);
        HistoryPage second = History.page(historyStore(), holdStore(), frank, Long.MIN_VALUE, Long.MAX_VALUE, 2,
                Long.parseLong(first.nextCursor()));
        HistoryPage third = History.page(historyStore(), holdStore(), frank, Long.MIN_VALUE, Long.MAX_VALUE, 2,
                Long.parseLong(second.nextCursor()));
        // Then the pages are newest first, contiguous, and the last one says so
        assertThat(first.entries()).extracting(h -> h.entry().transactionId()).containsExactly("c-5", "c-4");
        assertThat(second.entries()).extracting(h -> h.entry().transactionId()).containsExactly("c-3", "c-2");
        assertThat(third.entries()).extracting(h -> h.entry().transactionId()).containsExactly("open");
        assertThat(third.nextCursor()).isNull();
        // and a window of 2 to 3 May holds exactly those days
        HistoryPage window = History.page(historyStore(), holdStore(), frank, utc("2025-05-02T00:00:00").toEpochMilli(),
                utc("2025-05-03T23:59:59.999").toEpochMilli(), 50, null);
        assertThat(window.entries()).extracting(h -> h.entry().transactionId()).containsExactly("c-3", "c-2");
    }

    @Test
    void valueDatesALateCommandAfterALaterStampedOneSoStatementsStillAddUp() {
        startAt(utc("2025-06-01T08:00:00"), UTC, InterestConfig.Posting.DAILY);
        send(Command.open("open", "gina", "EUR", "100", null), utc("2025-06-01T09:00:00"));
        send(Command.credit("july", "gina", "5"), utc("2025-07-01T00:00:01"));
        // a command stamped in June that reaches the log after July's
        send(Command.credit("late-june", "gina", "7"), utc("2025-06-30T23:00:00"));
        Statement june = History.statement(historyStore(), holdStore(), account("gina"), YearMonth.of(2025, 6), interest);
        Statement july = History.statement(historyStore(), holdStore(), account("gina"), YearMonth.of(2025, 7), interest);
        assertThat(june.closingBalanceMinor()).isEqualTo(10_000);
        assertThat(july.entries()).extracting(h -> h.entry().transactionId()).containsExactly("july", "late-june");
        assertThat(july.openingBalanceMinor() + 500 + 700).isEqualTo(july.closingBalanceMinor());
    }

    @Test
    void dropsHistoryPastTheRetentionButKeepsBalancesAsOfLaterTimesRight() {
        currentWallClock = utc("2025-01-01T08:00:00");
        start(currentWallClock, UTC, InterestConfig.Posting.DAILY, Duration.ofDays(30));
        send(Command.open("open", "hank", "EUR", "100", null), utc("2025-01-01T09:00:00"));
        send(Command.credit("c-1", "hank", "1"), utc("2025-01-02T09:00:00"));
        send(Command.credit("c-2", "hank", "2"), utc("2025-03-01T09:00:00"));
        wallClockTo(utc("2025-03-02T00:00:30"));
        HistoryPage all = History.page(historyStore(), holdStore(), account("hank"), Long.MIN_VALUE, Long.MAX_VALUE, 50, null);
        assertThat(all.entries()).extracting(h -> h.entry().transactionId()).containsExactly("c-2", "c-1");
        assertThat(History.balanceAsOf(historyStore(), account("hank"), utc("2025-02-15T00:00:00").toEpochMilli()))
                .isEqualTo(10_100);
    }

    /** The interest entries of a catch-up after 104 days of downtime, done in slices of {@code sliceEntries}. */
    private List<String> catchUpAfterLongDowntime(int sliceEntries, Path dir) {
        currentWallClock = utc("2025-01-01T08:00:00");
        start(currentWallClock, UTC, InterestConfig.Posting.DAILY, Duration.ofDays(400),
                new HousekeepingConfig(Duration.ofSeconds(30), Duration.ofMillis(100), sliceEntries,
                        Duration.ofMinutes(1), "1"), dir); // bounded by count here, not by the machine's speed
        send(Command.open("open-a", "alice", "EUR", "1000", "0.0365"), utc("2025-01-01T09:00:00"));
        send(Command.open("open-b", "bob", "EUR", "2500", "0.073"), utc("2025-01-01T09:01:00"));
        send(Command.open("open-c", "carol", "EUR", null, "0.05"), utc("2025-01-01T09:02:00"));
        // a credit queued while the processor was down counts from its own day
        send(Command.credit("queued", "carol", "365"), utc("2025-02-10T12:00:00"));
        ledger.readValuesToList();
        rerouted.readRecordsToList();
        wallClockTo(utc("2025-04-15T07:00:00"));
        continuations = rerouted.readRecordsToList().stream()
                .filter(r -> r.headers().lastHeader(InterestWalk.WALK_HEADER) != null).count();
        List<String> paid = ledger.readValuesToList().stream().filter(e -> e.type() == EntryType.INTEREST)
                .map(e -> e.accountId() + " " + e.transactionId() + " " + e.amountMinor() + " " + e.balanceAfterMinor())
                .sorted().toList();
        for (String id : List.of("alice", "bob", "carol")) {
            assertThat(account(id).lastAccruedDate()).as(id).isEqualTo(LocalDate.of(2025, 4, 14));
        }
        driver.close();
        driver = null;
        return paid;
    }

    private long continuations;

    @Test
    void catchesUpMonthsOfDowntimeInShortSlicesPayingExactlyWhatOneWalkPays() {
        // Given three accounts and a processor down from 1 January to 15 April, caught up in slices of 7
        List<String> sliced = catchUpAfterLongDowntime(7, stateDir.resolve("sliced"));
        long slicedContinuations = continuations;
        // and the same caught up in one slice
        List<String> whole = catchUpAfterLongDowntime(1_000_000, stateDir.resolve("whole"));

        // Then the walk took many slices, and every day of every account is paid once, exactly as in one go
        assertThat(slicedContinuations).isGreaterThan(30); // 272 accruals (carol caught up to 9 February by her credit)
        assertThat(continuations).isZero();
        assertThat(sliced).isEqualTo(whole);
        // 104 days each for alice and bob; carol earns from 10 February on
        assertThat(sliced.stream().filter(e -> e.startsWith("alice ")).map(e -> e.split(" ")[1]).distinct())
                .hasSize(104).first().isEqualTo("interest:2025-01-01");
        assertThat(sliced.stream().filter(e -> e.startsWith("bob ")).count()).isEqualTo(104);
        assertThat(sliced.stream().filter(e -> e.startsWith("carol ")).findFirst().orElseThrow())
                .startsWith("carol interest:2025-02-10 5 ");
    }
}
