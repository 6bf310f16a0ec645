package dev.bank.processor.topology;

import dev.bank.processor.config.ProcessorConfig;
import dev.bank.schemas.Account;
import dev.bank.schemas.Command;
import dev.bank.schemas.EntryType;
import dev.bank.schemas.Hold;
import dev.bank.schemas.HoldEvent;
import dev.bank.schemas.HoldStatus;
import dev.bank.schemas.LedgerEntry;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.OutcomeStatus;
import dev.bank.schemas.RejectionReason;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static dev.bank.processor.topology.TopologyTests.COMMANDS;
import static dev.bank.processor.topology.TopologyTests.LEDGER;
import static dev.bank.processor.topology.TopologyTests.ONE_PARTITION;
import static dev.bank.processor.topology.TopologyTests.OUTCOMES;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Holds through the whole topology under {@link TopologyTestDriver}, configured as production is (exactly_once_v2,
 * RocksDB stores): partial captures, expiry by a command's timestamp and by the wall clock's expiry ticks (and a
 * tick replayed, as after a crash), captures racing expiry, and forged ticks. A restart with holds active, against a
 * real broker: {@code HoldsIT}.
 */
class HoldTopologyTest {
    private static final Instant NINE = Instant.parse("2025-03-01T09:00:00Z");
    private static final String TEN_PAST = "2025-03-01T09:10:00Z";
    private static final Instant EXPIRY = Instant.parse(TEN_PAST);

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> commands;
    private TestInputTopic<String, byte[]> internal;
    private TestOutputTopic<String, Outcome> results;
    private TestOutputTopic<String, LedgerEntry> ledger;
    private TestOutputTopic<String, byte[]> deadLetters;
    private TestOutputTopic<String, HoldEvent> holdEvents;
    private Instant wallClock;

    private void start(Instant at) {
        ProcessorConfig config = ProcessorConfig.fromEnv(ONE_PARTITION).withStateDir(stateDir);
        wallClock = at;
        driver = new TopologyTestDriver(BankTopology.build(config, new SimpleMeterRegistry()),
                config.streamsProperties(), at);
        commands = driver.createInputTopic(config.topics().commands(), new StringSerializer(), new ByteArraySerializer());
        internal = driver.createInputTopic(config.topics().rerouted(), new StringSerializer(), new ByteArraySerializer());
        results = driver.createOutputTopic(config.topics().results(), new StringDeserializer(), OUTCOMES.valueSerde());
        ledger = driver.createOutputTopic(config.topics().ledger(), new StringDeserializer(), LEDGER.valueSerde());
        deadLetters = driver.createOutputTopic(config.topics().deadLetter(), new StringDeserializer(),
                new ByteArrayDeserializer());
        holdEvents = driver.createOutputTopic(config.topics().holds(), new StringDeserializer(),
                config.topics().holdsTopic().valueSerde());
    }

    @AfterEach
    void stop() {
        if (driver != null) driver.close();
    }

    private Outcome send(Command command, Instant at) {
        commands.pipeInput(command.accountId(), COMMANDS.serialize(command), at);
        List<Outcome> outcomes = results.readValuesToList();
        assertThat(outcomes).as(command.type() + " " + command.transactionId()).hasSize(1);
        return outcomes.get(0);
    }

    private void wallClockTo(Instant to) {
        driver.advanceWallClockTime(Duration.between(wallClock, to));
        wallClock = to;
    }

    private Account account(String id) {
        KeyValueStore<String, Account> store = driver.getKeyValueStore(BankTopology.ACCOUNTS_STORE);
        return store.get(id);
    }

    private Hold hold(String accountId, String holdId) {
        KeyValueStore<String, Hold> store = driver.getKeyValueStore(BankTopology.HOLDS_STORE);
        return store.get(BankTopology.accountScopedKey(accountId, holdId));
    }

    private List<String> expiryIndex() {
        KeyValueStore<String, String> store = driver.getKeyValueStore(BankTopology.HOLD_EXPIRIES_STORE);
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, String> it = store.all()) {
            it.forEachRemaining((KeyValue<String, String> kv) -> keys.add(kv.key));
        }
        return keys;
    }

    private void givenAccountWithHold(String accountId, String holdId, String amount) {
        assertThat(send(Command.open("open-" + accountId, accountId, "EUR", "100"), NINE).status())
                .isEqualTo(OutcomeStatus.ACCEPTED);
        assertThat(send(Command.placeHold(holdId, accountId, amount, TEN_PAST, null), NINE.plusSeconds(1)).status())
                .isEqualTo(OutcomeStatus.ACCEPTED);
        ledger.readValuesToList();
    }

    /**
     * The account keeps a lower bound of its holds' next expiry, so commands before it need not read the expiry index
     * (on an account with many holds, that read cost more than the command). The bound only ever errs early: a hold
     * ended before its expiry leaves it early, and the next command past it reads the index and moves it on.
     */
    @Test
    void theAccountKnowsWhenItsNextHoldCanExpireAndEveryHoldStillExpiresOnTime() {
        start(NINE);
        assertThat(send(Command.open("open-b", "acc-b", "EUR", "100"), NINE).status()).isEqualTo(OutcomeStatus.ACCEPTED);
        assertThat(account("acc-b").holdsDueFrom()).as("no hold expires").isEqualTo(Account.NO_HOLD_EXPIRES);
        send(Command.placeHold("h-late", "acc-b", "20", "2025-03-01T09:20:00Z", null), NINE.plusSeconds(1));
        send(Command.placeHold("h-none", "acc-b", "5", null, null), NINE.plusSeconds(2));
        send(Command.placeHold("h-early", "acc-b", "10", TEN_PAST, null), NINE.plusSeconds(3));
        assertThat(account("acc-b").holdsDueFrom()).isEqualTo(EXPIRY.toEpochMilli());
        // the earliest hold is captured in full before its expiry: the bound stays, early
        send(Command.captureHold("c-1", "acc-b", "h-early", null), NINE.plusSeconds(4));
        assertThat(account("acc-b").holdsDueFrom()).isEqualTo(EXPIRY.toEpochMilli());
        // a command past it reads the index: nothing is due, and the bound moves to the next expiry
        send(Command.credit("cr-1", "acc-b", "1"), EXPIRY.plusSeconds(1));
        Instant late = Instant.parse("2025-03-01T09:20:00Z");
        assertThat(account("acc-b").holdsDueFrom()).isEqualTo(late.toEpochMilli());
        assertThat(hold("acc-b", "h-late").status()).isEqualTo(HoldStatus.ACTIVE);
        // and at it, that hold is released; the one without an expiry stays
        send(Command.credit("cr-2", "acc-b", "1"), late);
        assertThat(hold("acc-b", "h-late").status()).isEqualTo(HoldStatus.EXPIRED);
        assertThat(account("acc-b").holdsDueFrom()).isEqualTo(Account.NO_HOLD_EXPIRES);
        assertThat(account("acc-b").heldMinor()).isEqualTo(5_00);
    }

    /** An account stored before the bound existed has none: the index is read, as before, and the bound is set. */
    @Test
    void anAccountStoredWithoutTheBoundHasItsHoldsExpireAndGetsOne() {
        start(NINE);
        givenAccountWithHold("acc-c", "h-1", "30");
        KeyValueStore<String, Account> accounts = driver.getKeyValueStore(BankTopology.ACCOUNTS_STORE);
        accounts.put("acc-c", account("acc-c").withHoldsDueFrom(null));
        send(Command.credit("cr-1", "acc-c", "1"), NINE.plusSeconds(5));
        assertThat(account("acc-c").holdsDueFrom()).isEqualTo(EXPIRY.toEpochMilli());
        send(Command.credit("cr-2", "acc-c", "1"), EXPIRY);
        assertThat(hold("acc-c", "h-1").status()).isEqualTo(HoldStatus.EXPIRED);
        assertThat(account("acc-c").heldMinor()).isZero();
    }

    @Test
    void capturesInPartThenVoidsTheRestAndTheLedgerHasOnlyTheCaptures() {
        start(NINE);
        givenAccountWithHold("acc-a", "h-1", "30");
        Outcome first = send(Command.captureHold("c-1", "acc-a", "h-1", "10"), NINE.plusSeconds(2));
        assertThat(first.holdRemainingMinor()).isEqualTo(20_00);
        Outcome voided = send(Command.voidHold("v-1", "acc-a", "h-1"), NINE.plusSeconds(3));
        assertThat(voided.holdStatus()).isEqualTo(HoldStatus.VOIDED);
        assertThat(voided.availableMinor()).isEqualTo(90_00);
        assertThat(ledger.readValuesToList()).extracting(LedgerEntry::type, LedgerEntry::amountMinor)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(EntryType.HOLD_CAPTURE, 10_00L));
        assertThat(account("acc-a").heldMinor()).isZero();
        assertThat(expiryIndex()).as("an ended hold leaves the index").isEmpty();
        // and monitors see every change on the holds topic
        assertThat(holdEvents.readRecordsToList()).extracting(r -> r.key(), r -> r.value().event(),
                        r -> r.value().amountMinor(), r -> r.value().transactionId(), r -> r.value().hold().status())
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("acc-a", HoldEvent.Type.PLACED, 30_00L, "h-1", HoldStatus.ACTIVE),
                        org.assertj.core.groups.Tuple.tuple("acc-a", HoldEvent.Type.CAPTURED, 10_00L, "c-1", HoldStatus.ACTIVE),
                        org.assertj.core.groups.Tuple.tuple("acc-a", HoldEvent.Type.VOIDED, 20_00L, "v-1", HoldStatus.VOIDED));
        // a retry of the capture is answered as the first time, and applied once
        Outcome retry = send(Command.captureHold("c-1", "acc-a", "h-1", "10"), NINE.plusSeconds(4));
        assertThat(retry.replayed()).isTrue();
        assertThat(account("acc-a").balanceMinor()).isEqualTo(90_00);
    }

    @Test
    void historyAndStatementsShowHoldsAsMemoLinesApartFromThePostings() {
        start(NINE);
        givenAccountWithHold("acc-a", "h-1", "30");
        send(Command.captureHold("c-1", "acc-a", "h-1", "10"), NINE.plusSeconds(2));
        KeyValueStore<String, dev.bank.schemas.HistoryEntry> history = driver.getKeyValueStore(BankTopology.HISTORY_STORE);
        KeyValueStore<String, Hold> holds = driver.getKeyValueStore(BankTopology.HOLDS_STORE);
        var page = History.page(history, holds, account("acc-a"), Long.MIN_VALUE, Long.MAX_VALUE, 10, null);
        assertThat(page.entries()).extracting(h -> h.entry().type())
                .containsExactly(EntryType.HOLD_CAPTURE, EntryType.OPENING_DEPOSIT);
        assertThat(page.holds()).singleElement().satisfies(h -> {
            assertThat(h.holdId()).isEqualTo("h-1");
            assertThat(h.remainingMinor()).isEqualTo(20_00);
        });
        assertThat(History.page(history, holds, account("acc-a"), Long.MIN_VALUE, Long.MAX_VALUE, 1, 2L).holds())
                .as("only the first page carries them").isEmpty();
        assertThat(History.page(history, holds, account("acc-a"), EXPIRY.plusSeconds(1).toEpochMilli(),
                Long.MAX_VALUE, 10, null).holds()).as("a window after it was placed still overlaps it").hasSize(1);
        assertThat(History.page(history, holds, account("acc-a"), Long.MIN_VALUE,
                NINE.minusSeconds(1).toEpochMilli(), 10, null).holds()).as("a window before it").isEmpty();
        var march = History.statement(history, holds, account("acc-a"), java.time.YearMonth.of(2025, 3),
                new InterestLogic(dev.bank.processor.config.InterestConfig.defaults()));
        assertThat(march.holds()).extracting(Hold::holdId).containsExactly("h-1");
        assertThat(History.statement(history, holds, account("acc-a"), java.time.YearMonth.of(2025, 2),
                new InterestLogic(dev.bank.processor.config.InterestConfig.defaults())).holds()).isEmpty();
    }

    @Test
    void aCommandAfterTheExpiryFindsTheHoldReleasedFirst() {
        start(NINE);
        givenAccountWithHold("acc-a", "h-1", "30");
        // a second before the expiry, 80 of the 100 are not available
        assertThat(send(Command.debit("d-1", "acc-a", "80"), EXPIRY.minusSeconds(1)).reason())
                .isEqualTo(RejectionReason.INSUFFICIENT_FUNDS);
        // at the expiry, they are: the hold was released before the debit was decided
        Outcome debit = send(Command.debit("d-2", "acc-a", "80"), EXPIRY);
        assertThat(debit.status()).isEqualTo(OutcomeStatus.ACCEPTED);
        assertThat(hold("acc-a", "h-1").status()).isEqualTo(HoldStatus.EXPIRED);
        assertThat(hold("acc-a", "h-1").closedAt()).isEqualTo(EXPIRY.toEpochMilli());
        assertThat(account("acc-a").heldMinor()).isZero();
        assertThat(expiryIndex()).isEmpty();
    }

    @Test
    void aCaptureRacingTheExpiryWinsOnlyBeforeIt() {
        start(NINE);
        givenAccountWithHold("acc-a", "h-1", "30");
        givenAccountWithHold("acc-b", "h-1", "30");
        Outcome early = send(Command.captureHold("c-1", "acc-a", "h-1", null), EXPIRY.minusMillis(1));
        assertThat(early.status()).isEqualTo(OutcomeStatus.ACCEPTED);
        assertThat(early.holdStatus()).isEqualTo(HoldStatus.CAPTURED);
        Outcome late = send(Command.captureHold("c-1", "acc-b", "h-1", null), EXPIRY);
        assertThat(late.reason()).isEqualTo(RejectionReason.HOLD_NOT_ACTIVE);
        assertThat(late.holdStatus()).isEqualTo(HoldStatus.EXPIRED);
        assertThat(account("acc-b").balanceMinor()).isEqualTo(100_00);
    }

    @Test
    void theWallClocksExpiryTickReleasesHoldsOfAccountsThatSeeNoCommandExactlyOnce() {
        start(NINE);
        givenAccountWithHold("acc-a", "h-1", "30");
        assertThat(send(Command.placeHold("h-2", "acc-a", "5", null, null), NINE.plusSeconds(2)).status())
                .as("a hold without an expiry").isEqualTo(OutcomeStatus.ACCEPTED);
        assertThat(expiryIndex()).hasSize(2); // h-1 by account and by time; h-2 never expires

        // When the wall clock comes close to the expiry
        wallClockTo(EXPIRY.minusSeconds(5));
        assertThat(hold("acc-a", "h-1").status()).as("not before its expiry").isEqualTo(HoldStatus.ACTIVE);

        // Then once the wall clock passes the expiry, a tick releases it, with no command on the account
        wallClockTo(EXPIRY.plusSeconds(6));
        Hold expired = hold("acc-a", "h-1");
        assertThat(expired.status()).isEqualTo(HoldStatus.EXPIRED);
        assertThat(account("acc-a").heldMinor()).as("h-2 stays").isEqualTo(5_00);
        assertThat(expiryIndex()).isEmpty();
        assertThat(results.isEmpty()).as("an expiry answers no one").isTrue();
        assertThat(ledger.isEmpty()).as("and posts nothing").isTrue();
        assertThat(holdEvents.readValuesToList()).filteredOn(e -> e.event() == HoldEvent.Type.EXPIRED)
                .singleElement().satisfies(e -> {
                    assertThat(e.amountMinor()).isEqualTo(30_00);
                    assertThat(e.transactionId()).isNull();
                    assertThat(e.timestamp()).as("the tick's").isGreaterThanOrEqualTo(EXPIRY.toEpochMilli());
                });

        // And a tick replayed (as after a crash) releases nothing twice
        internal.pipeInput(new TestRecord<>(HoldExpiry.KEY, "0".getBytes(StandardCharsets.UTF_8),
                new RecordHeaders().add(HoldExpiry.HEADER, "x".getBytes(StandardCharsets.UTF_8)),
                EXPIRY.plusSeconds(60)));
        assertThat(hold("acc-a", "h-1")).isEqualTo(expired);
        assertThat(account("acc-a").heldMinor()).isEqualTo(5_00);
    }

    @Test
    void anExpiryTickForgedOnThePublicCommandsTopicIsDeadLetteredAndReleasesNothing() {
        start(NINE);
        givenAccountWithHold("acc-a", "h-1", "30");
        commands.pipeInput(new TestRecord<>(HoldExpiry.KEY, "0".getBytes(StandardCharsets.UTF_8),
                new RecordHeaders().add(HoldExpiry.HEADER, "x".getBytes(StandardCharsets.UTF_8)),
                EXPIRY.plusSeconds(3600)));
        assertThat(deadLetters.readRecordsToList()).hasSize(1);
        assertThat(hold("acc-a", "h-1").status()).isEqualTo(HoldStatus.ACTIVE);
        assertThat(account("acc-a").heldMinor()).isEqualTo(30_00);
    }
}
