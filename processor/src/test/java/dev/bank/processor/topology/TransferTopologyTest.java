package dev.bank.processor.topology;

import static dev.bank.processor.topology.TopologyTests.COMMANDS;
import static dev.bank.processor.topology.TopologyTests.LEDGER;
import static dev.bank.processor.topology.TopologyTests.LEGS;
import static dev.bank.processor.topology.TopologyTests.OUTCOMES;
import static dev.bank.processor.topology.TopologyTests.ONE_PARTITION;
import dev.bank.processor.config.ProcessorConfig;
import dev.bank.schemas.Account;
import dev.bank.schemas.AccountStatus;
import dev.bank.schemas.CommandType;
import dev.bank.schemas.Command;
import dev.bank.schemas.EntryType;
import dev.bank.schemas.LedgerEntry;
import dev.bank.schemas.LegType;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.OutcomeStatus;
import dev.bank.schemas.ProcessedCommand;
import dev.bank.schemas.RejectionReason;
import dev.bank.schemas.Topics;
import dev.bank.schemas.Transfer;
import dev.bank.schemas.TransferLeg;
import dev.bank.schemas.TransferStatus;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Transfers through the whole topology under {@link TopologyTestDriver}, configured as production is
 * ({@link ProcessorConfig#streamsProperties()}, so exactly_once_v2).
 *
 * <p>What the driver does with {@code bank.transfer-legs}, a topic the topology both writes and reads: every record
 * a sink produces is kept for the test's output topics <em>and</em>, when its topic is a source of the same
 * topology, enqueued and processed before {@code pipeInput} returns (pinned by
 * {@link LegsLoopedBackByTheDriver#feedsLegsWrittenToTheTransferLegsTopicBackIntoTheTopologyWithinOnePipe}). So
 * with the production topology a transfer command runs all three steps at once, which is how
 * {@link LegsLoopedBackByTheDriver} tests it. To see a transfer with its legs in flight, and to deliver legs late,
 * twice or out of order, {@link LegsDeliveredByHand} runs the same processors and stores with only the legs sink
 * redirected to an outbox topic that the test delivers from by hand.
 */
class TransferTopologyTest {
    private static final Instant T0 = Instant.parse("2025-03-01T09:00:00Z");
    /** Where the hand-delivery topology writes legs instead of the transfer-legs topic. */
    private static final String LEG_OUTBOX = "test.transfer-legs-outbox";

    @TempDir
    Path stateDir;

    private ProcessorConfig config;
    private Topics topics;
    private Topology topology;
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> commands;
    private TestInputTopic<String, byte[]> legsIn;
    private TestOutputTopic<String, Outcome> results;
    private TestOutputTopic<String, LedgerEntry> ledger;
    /** The legs the topology wrote: the transfer-legs topic, or the outbox when legs are delivered by hand. */
    private TestOutputTopic<String, TransferLeg> sentLegs;
    private TestOutputTopic<String, byte[]> deadLetters;
    private int commandCount;

    @BeforeEach
    void configure() {
        config = ProcessorConfig.fromEnv(ONE_PARTITION).withStateDir(stateDir);
        topics = config.topics();
    }

    private void startDriver(Topology topology, String legsTopic) {
        this.topology = topology;
        driver = new TopologyTestDriver(topology, config.streamsProperties(), T0);
        // every command record is one second after the previous one, starting at T0
        commands = driver.createInputTopic(topics.commands(), new StringSerializer(), new ByteArraySerializer(),
                T0, Duration.ofSeconds(1));
        legsIn = driver.createInputTopic(topics.transferLegs(), new StringSerializer(), new ByteArraySerializer());
        results = driver.createOutputTopic(topics.results(), new StringDeserializer(), OUTCOMES.valueSerde());
        ledger = driver.createOutputTopic(topics.ledger(), new StringDeserializer(), LEDGER.valueSerde());
        sentLegs = driver.createOutputTopic(legsTopic, new StringDeserializer(), LEGS.valueSerde());
        deadLetters = driver.createOutputTopic(topics.deadLetter(), new StringDeserializer(),
                new ByteArrayDeserializer());
    }

    @AfterEach
    void closeDriver() {
        if (driver != null) driver.close();
    }

    // ---- helpers: produce as upstream does, deliver legs, read what came out ----

    private void send(Command command) {
        commandCount++;
        commands.pipeInput(command.accountId(), COMMANDS.serialize(command));
    }

    private Instant nextCommandTime() {
        return T0.plusSeconds(commandCount);
    }

    /** Opens an account and discards what that produced, so the test reads only what follows. */
    private void givenAccount(String accountId, String currency, String deposit) {
        send(Command.open("open-" + accountId, accountId, currency, deposit));
        assertThat(results.readValuesToList()).extracting(Outcome::status).containsExactly(OutcomeStatus.ACCEPTED);
        ledger.readValuesToList();
    }

    /** Pipes a leg into the transfer-legs topic as the topology wrote it: same key, value and timestamp. */
    private void deliver(TestRecord<String, TransferLeg> leg) {
        legsIn.pipeInput(new TestRecord<>(leg.key(), LEGS.serialize(leg.value()),
                leg.headers(), leg.timestamp()));
    }

    private void deliverRaw(String key, byte[] value) {
        legsIn.pipeInput(key, value, T0.plusSeconds(600));
    }

    /** The one leg the topology wrote since the last read. */
    private TestRecord<String, TransferLeg> singleLeg() {
        List<TestRecord<String, TransferLeg>> legs = sentLegs.readRecordsToList();
        assertThat(legs).as("exactly one leg").hasSize(1);
        return legs.get(0);
    }

    private Outcome singleOutcome() {
        List<Outcome> outcomes = results.readValuesToList();
        assertThat(outcomes).as("exactly one outcome").hasSize(1);
        return outcomes.get(0);
    }

    private Outcome sendAndReadOutcome(Command command) {
        send(command);
        return singleOutcome();
    }

    private void assertNothingHappened() {
        assertThat(results.isEmpty()).as("no outcome").isTrue();
        assertThat(ledger.isEmpty()).as("no posting").isTrue();
        assertThat(sentLegs.isEmpty()).as("no leg").isTrue();
        assertThat(deadLetters.isEmpty()).as("no dead letter").isTrue();
    }

    private KeyValueStore<String, Account> accountsStore() {
        return driver.getKeyValueStore(BankTopology.ACCOUNTS_STORE);
    }

    private KeyValueStore<String, Transfer> transfersStore() {
        return driver.getKeyValueStore(BankTopology.TRANSFERS_STORE);
    }

    private long balanceOf(String accountId) {
        return accountsStore().get(accountId).balanceMinor();
    }

    private Transfer transferSeenBy(String accountId, String transferId) {
        return transfersStore().get(BankTopology.accountScopedKey(accountId, transferId));
    }

    /** Every value of a store; the iterator is closed, as every store iterator must be. */
    private static <V> List<V> values(KeyValueStore<String, V> store) {
        List<V> values = new ArrayList<>();
        try (KeyValueIterator<String, V> it = store.all()) {
            it.forEachRemaining(kv -> values.add(kv.value));
        }
        return values;
    }

    private static String header(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static TransferLeg leg(LegType type, String transferId, String from, String to, long amountMinor) {
        return new TransferLeg(type, transferId, from, to, amountMinor, "EUR", null,
                type == LegType.REFUND ? RejectionReason.ACCOUNT_NOT_FOUND : null,
                type == LegType.REFUND ? "destination account " + to + " does not exist" : null);
    }

    private void assertSingleDeadLetter(String key, DeadLetter reason) {
        List<TestRecord<String, byte[]>> dead = deadLetters.readRecordsToList();
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).key()).isEqualTo(key);
        Headers h = dead.get(0).headers();
        assertThat(header(h, DeadLetter.REASON_HEADER)).isEqualTo(reason.name());
        assertThat(header(h, DeadLetter.DETAIL_HEADER)).isNotBlank();
        assertThat(header(h, DeadLetter.SOURCE_TOPIC_HEADER)).isEqualTo(topics.transferLegs());
        assertThat(header(h, DeadLetter.SOURCE_PARTITION_HEADER)).isEqualTo("0");
        assertThat(header(h, DeadLetter.SOURCE_OFFSET_HEADER)).isNotBlank();
    }

    // ---- money conservation over a random workload ----

    private static final String[] ACCOUNTS = {"acc-0", "acc-1", "acc-2", "acc-3", "acc-4"};

    private static String currencyOf(int account) {
        return account < 3 ? "EUR" : "USD";
    }

    private static String randomAmount(Random random) {
        long minor = 1 + random.nextInt(40_000);
        return minor / 100 + "." + String.format("%02d", minor % 100);
    }

    /** A random open, credit, debit or transfer among the five accounts (some not yet open, two currencies). */
    private static Command randomCommand(Random random, int i) {
        String id = "t-" + i;
        int account = random.nextInt(ACCOUNTS.length);
        int pick = random.nextInt(100);
        if (pick < 12) {
            return Command.open(id, ACCOUNTS[account], currencyOf(account),
                    random.nextInt(3) == 0 ? null : randomAmount(random));
        }
        if (pick < 35) return Command.credit(id, ACCOUNTS[account], randomAmount(random));
        if (pick < 50) return Command.debit(id, ACCOUNTS[account], randomAmount(random));
        return Command.transfer(id, ACCOUNTS[account], ACCOUNTS[random.nextInt(ACCOUNTS.length)],
                randomAmount(random), random.nextBoolean() ? "ref-" + i : null);
    }

    /**
     * The invariant of ARCHITECTURE.md, per currency: balances + amounts in flight = external credits − external
     * debits, all read from the ledger and the stores. The amount in flight from the ledger (transfers out minus
     * transfers in and refunds) must also be what the sources' PENDING transfers hold.
     */
    private void assertMoneyIsConserved(List<LedgerEntry> entries, boolean allLegsDelivered) {
        Map<String, Long> external = new HashMap<>();
        Map<String, Long> inFlight = new HashMap<>();
        for (LedgerEntry e : entries) {
            long signed = e.type().sign() * e.amountMinor();
            if (e.type().external()) {
                external.merge(e.currency(), signed, Long::sum);
            } else {
                inFlight.merge(e.currency(), -signed, Long::sum);
            }
        }
        Map<String, Long> balances = values(accountsStore()).stream()
                .collect(Collectors.groupingBy(Account::currency, Collectors.summingLong(Account::balanceMinor)));
        // money is in flight from the debit until the destination credits it, or until the source takes back a
        // refund; a transfer whose credit landed stays PENDING at the source until the COMPLETED leg arrives
        Map<String, Long> pending = values(transfersStore()).stream()
                .filter(t -> t.direction() == Transfer.Direction.OUT && t.status() == TransferStatus.PENDING)
                .filter(t -> !creditLanded(t))
                .collect(Collectors.groupingBy(Transfer::currency, Collectors.summingLong(Transfer::amountMinor)));
        for (String currency : List.of("EUR", "USD")) {
            long ext = external.getOrDefault(currency, 0L);
            long flying = inFlight.getOrDefault(currency, 0L);
            assertThat(balances.getOrDefault(currency, 0L) + flying).as("balances + in flight, " + currency)
                    .isEqualTo(ext);
            assertThat(flying).as("in flight per ledger = pending transfers, " + currency)
                    .isEqualTo(pending.getOrDefault(currency, 0L));
            if (allLegsDelivered) {
                assertThat(flying).as("nothing in flight once every leg is delivered, " + currency).isZero();
            }
        }
    }

    private boolean creditLanded(Transfer out) {
        Transfer in = transferSeenBy(out.toAccountId(), out.transferId());
        return in != null && in.direction() == Transfer.Direction.IN && in.status() == TransferStatus.COMPLETED;
    }

    /** Each account's entries are numbered 1..n and chain up to the balance the store holds. */
    private void assertEachBalanceIsTheReplayOfItsLedger(List<LedgerEntry> entries) {
        Map<String, List<LedgerEntry>> byAccount = entries.stream()
                .collect(Collectors.groupingBy(LedgerEntry::accountId, LinkedHashMap::new, Collectors.toList()));
        for (Account account : values(accountsStore())) {
            List<LedgerEntry> own = byAccount.getOrDefault(account.accountId(), List.of());
            long replayed = 0;
            for (int i = 0; i < own.size(); i++) {
                LedgerEntry e = own.get(i);
                assertThat(e.sequence()).as(account.accountId() + " sequence").isEqualTo(i + 1);
                assertThat(e.currency()).isEqualTo(account.currency());
                assertThat(e.balanceBeforeMinor()).isEqualTo(replayed);
                replayed += e.type().sign() * e.amountMinor();
                assertThat(e.balanceAfterMinor()).isEqualTo(replayed);
            }
            assertThat(account.balanceMinor()).as(account.accountId() + " balance = replay").isEqualTo(replayed);
            assertThat(account.sequence()).isEqualTo(own.size());
        }
        assertThat(values(accountsStore())).hasSizeLessThanOrEqualTo(ACCOUNTS.length);
        assertThat(byAccount.keySet()).as("no posting on an account that does not exist")
                .allMatch(id -> accountsStore().get(id) != null);
    }

    /** After the workload: one outcome per command, none pending, and both ways a transfer ends were exercised. */
    private void assertOneFinalOutcomePerCommand(List<Outcome> outcomes, int sent) {
        assertThat(outcomes).hasSize(sent);
        assertThat(outcomes).extracting(Outcome::transactionId).doesNotHaveDuplicates();
        assertThat(outcomes).noneMatch(Outcome::replayed);
        assertThat(outcomes).noneMatch(o -> o.status() == OutcomeStatus.PENDING);
        assertThat(outcomes).extracting(Outcome::transferStatus).as("the workload covers every ending")
                .contains(TransferStatus.COMPLETED, TransferStatus.REFUNDED, TransferStatus.REJECTED);
        assertThat(values(transfersStore())).noneMatch(t -> t.status() == TransferStatus.PENDING);
    }

    // =====================================================================================================
    @Nested
    class LegsLoopedBackByTheDriver {

        @BeforeEach
        void startProductionTopology() {
            startDriver(BankTopology.build(config, new SimpleMeterRegistry()),
                    topics.transferLegs());
        }

        @Test
        void runsUnderTheProductionExactlyOnceV2Configuration() {
            assertThat(config.streamsProperties().get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG))
                    .isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
        }

        @Test
        void feedsLegsWrittenToTheTransferLegsTopicBackIntoTheTopologyWithinOnePipe() {
            // Given two EUR accounts
            givenAccount("acc-a", "EUR", "1000");
            givenAccount("acc-b", "EUR", null);
            // When a single transfer command is piped in, and nothing else
            send(Command.transfer("tr-1", "acc-a", "acc-b", "250", null));
            // Then both legs were written to the transfer-legs topic (and so can be read by the test) ...
            assertThat(sentLegs.readRecordsToList())
                    .extracting(TestRecord::key, r -> r.value().type())
                    .containsExactly(tuple("acc-b", LegType.CREDIT), tuple("acc-a", LegType.COMPLETED));
            // ... and were already processed by the topology: the transfer is finished on both sides
            assertThat(transferSeenBy("acc-a", "tr-1").status()).isEqualTo(TransferStatus.COMPLETED);
            assertThat(transferSeenBy("acc-b", "tr-1").status()).isEqualTo(TransferStatus.COMPLETED);
            assertThat(balanceOf("acc-b")).isEqualTo(25_000);
        }

        @Test
        void completesTransferBetweenTwoEurAccounts() {
            // Given acc-a with 1000.00 and acc-b with 50.00, both EUR
            givenAccount("acc-a", "EUR", "1000");
            givenAccount("acc-b", "EUR", "50");
            long at = nextCommandTime().toEpochMilli();
            // When acc-a transfers 250.00 to acc-b
            send(Command.transfer("tr-1", "acc-a", "acc-b", "250", "invoice-7"));

            // Then the money moved
            assertThat(balanceOf("acc-a")).isEqualTo(75_000);
            assertThat(balanceOf("acc-b")).isEqualTo(30_000);
            // and exactly one outcome was published, the final one, keyed by the source
            List<TestRecord<String, Outcome>> out = results.readRecordsToList();
            assertThat(out).hasSize(1);
            assertThat(out.get(0).key()).isEqualTo("acc-a");
            assertThat(out.get(0).timestamp()).isEqualTo(at);
            Outcome o = out.get(0).value();
            assertThat(o.status()).isEqualTo(OutcomeStatus.ACCEPTED);
            assertThat(o.transferStatus()).isEqualTo(TransferStatus.COMPLETED);
            assertThat(o.transactionId()).isEqualTo("tr-1");
            assertThat(o.toAccountId()).isEqualTo("acc-b");
            assertThat(o.amountMinor()).isEqualTo(25_000);
            assertThat(o.balanceMinor()).isEqualTo(75_000);
            assertThat(o.sequence()).isEqualTo(2);
            assertThat(o.replayed()).isFalse();
            // and the ledger holds TRANSFER_OUT then TRANSFER_IN, each keyed by its account, paired by transferId
            List<TestRecord<String, LedgerEntry>> entries = ledger.readRecordsToList();
            assertThat(entries).extracting(TestRecord::key).containsExactly("acc-a", "acc-b");
            assertThat(entries).extracting(TestRecord::value).containsExactly(
                    new LedgerEntry("acc-a", "tr-1", EntryType.TRANSFER_OUT, 25_000, "EUR", 100_000, 75_000, 2, at,
                            "tr-1", "acc-b", "invoice-7"),
                    new LedgerEntry("acc-b", "tr-1", EntryType.TRANSFER_IN, 25_000, "EUR", 5_000, 30_000, 2, at,
                            "tr-1", "acc-a", "invoice-7"));
            // and both accounts keep their view of the transfer: OUT COMPLETED and IN COMPLETED
            assertThat(transferSeenBy("acc-a", "tr-1")).isEqualTo(new Transfer("tr-1", Transfer.Direction.OUT,
                    "acc-a", "acc-b", 25_000, "EUR", "invoice-7", TransferStatus.COMPLETED, null, null, at, at));
            assertThat(transferSeenBy("acc-b", "tr-1")).isEqualTo(new Transfer("tr-1", Transfer.Direction.IN,
                    "acc-a", "acc-b", 25_000, "EUR", "invoice-7", TransferStatus.COMPLETED, null, null, at, at));
            assertThat(deadLetters.isEmpty()).isTrue();
        }

        private void assertRefunded(RejectionReason reason, String destination) {
            // one outcome: rejected with the destination's reason, the money refunded
            Outcome o = singleOutcome();
            assertThat(o.status()).isEqualTo(OutcomeStatus.REJECTED);
            assertThat(o.reason()).isEqualTo(reason);
            assertThat(o.transferStatus()).isEqualTo(TransferStatus.REFUNDED);
            assertThat(o.balanceMinor()).isEqualTo(100_000);
            assertThat(o.sequence()).isEqualTo(3);
            assertThat(o.detail()).contains(destination).contains("refunded");
            // the source's balance is restored
            assertThat(balanceOf("acc-a")).isEqualTo(100_000);
            // the ledger shows the debit and the refund on the source, nothing on the destination
            assertThat(ledger.readValuesToList())
                    .extracting(LedgerEntry::accountId, LedgerEntry::type, LedgerEntry::sequence,
                            LedgerEntry::balanceAfterMinor, LedgerEntry::transferId,
                            LedgerEntry::counterpartyAccountId)
                    .containsExactly(
                            tuple("acc-a", EntryType.TRANSFER_OUT, 2L, 75_000L, "tr-1", destination),
                            tuple("acc-a", EntryType.TRANSFER_REFUND, 3L, 100_000L, "tr-1", destination));
            // the legs went there and back
            assertThat(sentLegs.readRecordsToList())
                    .extracting(TestRecord::key, r -> r.value().type(), r -> r.value().reason())
                    .containsExactly(tuple(destination, LegType.CREDIT, null),
                            tuple("acc-a", LegType.REFUND, reason));
            // and both sides remember it as refunded
            assertThat(transferSeenBy("acc-a", "tr-1").status()).isEqualTo(TransferStatus.REFUNDED);
            assertThat(transferSeenBy("acc-a", "tr-1").reason()).isEqualTo(reason);
            assertThat(transferSeenBy(destination, "tr-1").status()).isEqualTo(TransferStatus.REFUNDED);
            assertThat(transferSeenBy(destination, "tr-1").direction()).isEqualTo(Transfer.Direction.IN);
            assertThat(deadLetters.isEmpty()).isTrue();
        }

        @Test
        void refundsTransferToUnknownDestination() {
            // Given acc-a with 1000.00 and no account "nobody"
            givenAccount("acc-a", "EUR", "1000");
            // When acc-a transfers 250.00 to nobody
            send(Command.transfer("tr-1", "acc-a", "nobody", "250", null));
            // Then
            assertRefunded(RejectionReason.ACCOUNT_NOT_FOUND, "nobody");
            assertThat(accountsStore().get("nobody")).as("a refused credit opens no account").isNull();
        }

        @Test
        void refundsTransferToAccountInAnotherCurrency() {
            // Given acc-a with 1000.00 EUR and acc-usd with 10.00 USD
            givenAccount("acc-a", "EUR", "1000");
            givenAccount("acc-usd", "USD", "10");
            // When acc-a transfers 250.00 (EUR) to acc-usd
            send(Command.transfer("tr-1", "acc-a", "acc-usd", "250", null));
            // Then
            assertRefunded(RejectionReason.CURRENCY_MISMATCH, "acc-usd");
            assertThat(balanceOf("acc-usd")).isEqualTo(1_000);
        }

        @Test
        void rejectsTransferBeyondBalanceUpFrontWithoutLegOrPosting() {
            // Given acc-a with 100.00 and acc-b
            givenAccount("acc-a", "EUR", "100");
            givenAccount("acc-b", "EUR", null);
            // When acc-a transfers 100.01
            Outcome o = sendAndReadOutcome(Command.transfer("tr-1", "acc-a", "acc-b", "100.01", null));
            // Then it is rejected at once, nothing moves and nothing is sent
            assertThat(o.status()).isEqualTo(OutcomeStatus.REJECTED);
            assertThat(o.reason()).isEqualTo(RejectionReason.INSUFFICIENT_FUNDS);
            assertThat(o.transferStatus()).isEqualTo(TransferStatus.REJECTED);
            assertThat(o.toAccountId()).isEqualTo("acc-b");
            assertThat(o.balanceMinor()).isEqualTo(10_000);
            assertNothingHappened();
            assertThat(transferSeenBy("acc-a", "tr-1")).isNull();
            assertThat(transferSeenBy("acc-b", "tr-1")).isNull();
            assertThat(balanceOf("acc-a")).isEqualTo(10_000);
            assertThat(balanceOf("acc-b")).isZero();
        }

        @Test
        void answersRetryOfCompletedTransferWithTheFinalOutcomeReplayedWithoutMovingMoneyAgain() {
            // Given a completed transfer
            givenAccount("acc-a", "EUR", "1000");
            givenAccount("acc-b", "EUR", null);
            Outcome done = sendAndReadOutcome(Command.transfer("tr-1", "acc-a", "acc-b", "250", "inv"));
            ledger.readValuesToList();
            sentLegs.readValuesToList();
            // When the command is retried (written "250.00" this time)
            Outcome retry = sendAndReadOutcome(Command.transfer("tr-1", "acc-a", "acc-b", "250.00", "inv"));
            // Then the final outcome is answered again, marked replayed, and nothing else happens
            assertThat(retry).isEqualTo(done.asReplay());
            assertThat(retry.transferStatus()).isEqualTo(TransferStatus.COMPLETED);
            assertNothingHappened();
            assertThat(balanceOf("acc-a")).isEqualTo(75_000);
            assertThat(balanceOf("acc-b")).isEqualTo(25_000);
        }

        @Test
        void answersRetryOfRefundedTransferWithTheRefundReplayed() {
            // Given a transfer refunded by an unknown destination
            givenAccount("acc-a", "EUR", "1000");
            Outcome refunded = sendAndReadOutcome(Command.transfer("tr-1", "acc-a", "nobody", "250", null));
            ledger.readValuesToList();
            sentLegs.readValuesToList();
            // When, after the destination was opened, the transfer is retried under the same id
            givenAccount("nobody", "EUR", null);
            Outcome retry = sendAndReadOutcome(Command.transfer("tr-1", "acc-a", "nobody", "250", null));
            // Then the first answer stands
            assertThat(retry).isEqualTo(refunded.asReplay());
            assertThat(retry.transferStatus()).isEqualTo(TransferStatus.REFUNDED);
            assertNothingHappened();
            assertThat(balanceOf("nobody")).isZero();
        }

        @Test
        void rejectsTransferIdReusedForAnotherDestinationAsIdempotencyConflict() {
            // Given a completed transfer tr-1 to acc-b
            givenAccount("acc-a", "EUR", "1000");
            givenAccount("acc-b", "EUR", null);
            givenAccount("acc-c", "EUR", null);
            sendAndReadOutcome(Command.transfer("tr-1", "acc-a", "acc-b", "250", null));
            ledger.readValuesToList();
            sentLegs.readValuesToList();
            // When tr-1 is sent again to acc-c
            Outcome conflict = sendAndReadOutcome(Command.transfer("tr-1", "acc-a", "acc-c", "250", null));
            // Then
            assertThat(conflict.reason()).isEqualTo(RejectionReason.IDEMPOTENCY_CONFLICT);
            assertNothingHappened();
            assertThat(balanceOf("acc-c")).isZero();
        }

        @Test
        void ignoresCreditLegDeliveredAgainAfterTheTransferCompleted() {
            // Given a completed transfer, and its CREDIT leg as it was written
            givenAccount("acc-a", "EUR", "1000");
            givenAccount("acc-b", "EUR", null);
            send(Command.transfer("tr-1", "acc-a", "acc-b", "250", null));
            TestRecord<String, TransferLeg> credit = sentLegs.readRecordsToList().get(0);
            assertThat(credit.value().type()).isEqualTo(LegType.CREDIT);
            results.readValuesToList();
            ledger.readValuesToList();
            // When the CREDIT leg is delivered again (e.g. replayed by an operator)
            deliver(credit);
            // Then the destination is not credited twice, and no answer is sent
            assertNothingHappened();
            assertThat(balanceOf("acc-b")).isEqualTo(25_000);
            assertThat(balanceOf("acc-a")).isEqualTo(75_000);
        }

        @Test
        void ignoresCompletedLegDeliveredAgain() {
            // Given a completed transfer, and its COMPLETED leg as it was written
            givenAccount("acc-a", "EUR", "1000");
            givenAccount("acc-b", "EUR", null);
            send(Command.transfer("tr-1", "acc-a", "acc-b", "250", null));
            TestRecord<String, TransferLeg> completed = sentLegs.readRecordsToList().get(1);
            assertThat(completed.value().type()).isEqualTo(LegType.COMPLETED);
            results.readValuesToList();
            ledger.readValuesToList();
            // When the COMPLETED leg is delivered again
            deliver(completed);
            // Then no second outcome is published and nothing changes
            assertNothingHappened();
            assertThat(transferSeenBy("acc-a", "tr-1").status()).isEqualTo(TransferStatus.COMPLETED);
            assertThat(balanceOf("acc-a")).isEqualTo(75_000);
        }

        @Test
        void ignoresRefundLegDeliveredAgainSoTheSourceIsRefundedOnce() {
            // Given a refunded transfer, and its REFUND leg as it was written
            givenAccount("acc-a", "EUR", "1000");
            send(Command.transfer("tr-1", "acc-a", "nobody", "250", null));
            TestRecord<String, TransferLeg> refund = sentLegs.readRecordsToList().get(1);
            assertThat(refund.value().type()).isEqualTo(LegType.REFUND);
            results.readValuesToList();
            ledger.readValuesToList();
            // When the REFUND leg is delivered again, twice
            deliver(refund);
            deliver(refund);
            // Then the money comes back only once
            assertNothingHappened();
            assertThat(balanceOf("acc-a")).isEqualTo(100_000);
            assertThat(accountsStore().get("acc-a").sequence()).isEqualTo(3);
        }

        @ParameterizedTest(name = "{0}")
        @EnumSource(value = LegType.class, names = {"COMPLETED", "REFUND"})
        void deadLettersAnswerLegForTransferTheAccountNeverSent(LegType type) {
            // Given acc-a, which never sent tr-x
            givenAccount("acc-a", "EUR", "1000");
            // When an answer leg for tr-x arrives for acc-a
            deliverRaw("acc-a", LEGS.serialize(leg(type, "tr-x", "acc-a", "acc-b", 5_000)));
            // Then it is dead-lettered, and in particular a REFUND mints no money
            assertSingleDeadLetter("acc-a", DeadLetter.UNKNOWN_TRANSFER);
            assertThat(results.isEmpty()).isTrue();
            assertThat(ledger.isEmpty()).isTrue();
            assertThat(balanceOf("acc-a")).isEqualTo(100_000);
            assertThat(transferSeenBy("acc-a", "tr-x")).isNull();
        }

        @Test
        void deadLettersAnswerLegAddressedToTheReceivingSideOfATransfer() {
            // Given tr-1 from acc-a to acc-b, completed
            givenAccount("acc-a", "EUR", "1000");
            givenAccount("acc-b", "EUR", null);
            send(Command.transfer("tr-1", "acc-a", "acc-b", "250", null));
            results.readValuesToList();
            ledger.readValuesToList();
            sentLegs.readValuesToList();
            // When a REFUND leg claims acc-b sent tr-1
            deliverRaw("acc-b", LEGS.serialize(leg(LegType.REFUND, "tr-1", "acc-b", "acc-a", 25_000)));
            // Then acc-b, which only received tr-1, dead-letters it
            assertSingleDeadLetter("acc-b", DeadLetter.UNKNOWN_TRANSFER);
            assertThat(balanceOf("acc-b")).isEqualTo(25_000);
            assertThat(results.isEmpty()).isTrue();
        }

        static Stream<Arguments> poisonLegs() {
            return Stream.of(
                    Arguments.of("not JSON", "acc-b", bytes("garbage {"), DeadLetter.UNPARSEABLE),
                    Arguments.of("unknown leg type", "acc-b", bytes("""
                            {"type":"CHARGEBACK","transferId":"tr-9","fromAccountId":"acc-a","toAccountId":"acc-b",\
                            "amountMinor":1,"currency":"EUR"}"""), DeadLetter.UNPARSEABLE),
                    Arguments.of("amount not a number", "acc-b", bytes("""
                            {"type":"CREDIT","transferId":"tr-9","fromAccountId":"acc-a","toAccountId":"acc-b",\
                            "amountMinor":"lots","currency":"EUR"}"""), DeadLetter.UNPARSEABLE),
                    Arguments.of("no value", "acc-b", null, DeadLetter.INVALID_COMMAND),
                    Arguments.of("missing transferId", "acc-b", bytes("""
                            {"type":"CREDIT","fromAccountId":"acc-a","toAccountId":"acc-b",\
                            "amountMinor":1,"currency":"EUR"}"""), DeadLetter.INVALID_COMMAND),
                    Arguments.of("missing currency", "acc-b", bytes("""
                            {"type":"CREDIT","transferId":"tr-9","fromAccountId":"acc-a","toAccountId":"acc-b",\
                            "amountMinor":1}"""), DeadLetter.INVALID_COMMAND),
                    Arguments.of("negative amount", "acc-b", bytes("""
                            {"type":"CREDIT","transferId":"tr-9","fromAccountId":"acc-a","toAccountId":"acc-b",\
                            "amountMinor":-500,"currency":"EUR"}"""), DeadLetter.INVALID_COMMAND),
                    Arguments.of("no amount", "acc-b", bytes("""
                            {"type":"CREDIT","transferId":"tr-9","fromAccountId":"acc-a","toAccountId":"acc-b",\
                            "currency":"EUR"}"""), DeadLetter.INVALID_COMMAND),
                    Arguments.of("keyed by the wrong account", "acc-a",
                            LEGS.serialize(leg(LegType.CREDIT, "tr-9", "acc-a", "acc-b", 1)),
                            DeadLetter.KEY_MISMATCH));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("poisonLegs")
        void deadLettersPoisonLegAndKeepsProcessingTransfers(String name, String key, byte[] value,
                                                             DeadLetter reason) {
            // Given two EUR accounts
            givenAccount("acc-a", "EUR", "1000");
            givenAccount("acc-b", "EUR", null);
            // When a leg that cannot be applied arrives
            deliverRaw(key, value);
            // Then it is dead-lettered with its original bytes, and nothing else happens
            List<TestRecord<String, byte[]>> dead = deadLetters.readRecordsToList();
            assertThat(dead).hasSize(1);
            assertThat(dead.get(0).value()).isEqualTo(value);
            assertThat(header(dead.get(0).headers(), DeadLetter.REASON_HEADER)).isEqualTo(reason.name());
            assertThat(header(dead.get(0).headers(), DeadLetter.SOURCE_TOPIC_HEADER))
                    .isEqualTo(topics.transferLegs());
            assertNothingHappened();
            assertThat(balanceOf("acc-b")).isZero();
            // and the next transfer still goes through
            Outcome next = sendAndReadOutcome(Command.transfer("tr-1", "acc-a", "acc-b", "1", null));
            assertThat(next.transferStatus()).isEqualTo(TransferStatus.COMPLETED);
            assertThat(balanceOf("acc-b")).isEqualTo(100);
        }

        @ParameterizedTest(name = "seed {0}")
        @ValueSource(longs = {1L, 7L, 42L})
        void conservesMoneyPerCurrencyOverARandomWorkloadOfTransfersAmongFiveAccounts(long seed) {
            // Given a seeded random workload of opens, credits, debits and transfers among 5 accounts, 2 currencies
            Random random = new Random(seed);
            List<LedgerEntry> entries = new ArrayList<>();
            int sent = 200;
            // When each command is applied (the driver delivers every leg before the next command)
            for (int i = 0; i < sent; i++) {
                send(randomCommand(random, i));
                entries.addAll(ledger.readValuesToList());
                assertMoneyIsConserved(entries, true);
            }
            // Then sum of balances per currency = external credits − external debits, nothing in flight
            assertMoneyIsConserved(entries, true);
            // and each balance is the replay of its ledger entries
            assertEachBalanceIsTheReplayOfItsLedger(entries);
            assertOneFinalOutcomePerCommand(results.readValuesToList(), sent);
            assertThat(deadLetters.isEmpty()).isTrue();
        }
    }

    // =====================================================================================================
    @Nested
    class LegsDeliveredByHand {

        @BeforeEach
        void startTopologyWithLegOutbox() {
            startDriver(BankTopology.build(config, new SimpleMeterRegistry(), LEG_OUTBOX),
                    LEG_OUTBOX);
        }

        @Test
        void runsTheProductionTopologyWithOnlyTheLegsSinkRedirected() {
            // Given the production topology
            Topology production = BankTopology.build(config, new SimpleMeterRegistry());
            // Then this one is the same but for the topic the legs sink writes to
            String expected = production.describe().toString();
            String actual = topology.describe().toString();
            assertThat(actual).contains(LEG_OUTBOX).isNotEqualTo(expected);
            assertThat(actual.replace(LEG_OUTBOX, topics.transferLegs())).isEqualTo(expected);
        }

        @Test
        void anAccountWithATransferInFlightCannotCloseUntilTheTransferIsSettled() {
            // Given acc-a sends all it has to acc-b, and the legs are still in flight
            givenAccount("acc-a", "EUR", "100");
            givenAccount("acc-b", "EUR", null);
            send(Command.transfer("tr-1", "acc-a", "acc-b", "100", null));
            ledger.readValuesToList();
            assertThat(balanceOf("acc-a")).isZero();
            assertThat(accountsStore().get("acc-a").pendingTransfersOut()).isEqualTo(1);

            // When acc-a asks to close, with a zero balance but money in flight
            Outcome refused = sendAndReadOutcome(Command.of(CommandType.CLOSE_ACCOUNT, "close-1", "acc-a"));
            // Then it is refused and stays open
            assertThat(refused.reason()).isEqualTo(RejectionReason.ACCOUNT_NOT_EMPTY);
            assertThat(refused.detail()).contains("in flight");
            assertThat(accountsStore().get("acc-a").status()).isEqualTo(AccountStatus.OPEN);

            // When the transfer completes, the account closes
            deliver(singleLeg());
            deliver(singleLeg());
            assertThat(singleOutcome().transferStatus()).isEqualTo(TransferStatus.COMPLETED);
            assertThat(accountsStore().get("acc-a").pendingTransfersOut()).isZero();
            Outcome closed = sendAndReadOutcome(Command.of(CommandType.CLOSE_ACCOUNT, "close-2", "acc-a"));
            assertThat(closed.status()).isEqualTo(OutcomeStatus.ACCEPTED);
            assertThat(accountsStore().get("acc-a").status()).isEqualTo(AccountStatus.CLOSED);
        }

        @Test
        void aTransferToAnAccountThatClosedWhileItWasInFlightComesBack() {
            // Given a transfer from acc-a to the empty acc-b, its credit not yet delivered
            givenAccount("acc-a", "EUR", "100");
            givenAccount("acc-b", "EUR", null);
            send(Command.transfer("tr-1", "acc-a", "acc-b", "40", null));
            TestRecord<String, TransferLeg> credit = singleLeg();
            // and acc-b closes meanwhile
            assertThat(sendAndReadOutcome(Command.of(CommandType.CLOSE_ACCOUNT, "close-b", "acc-b")).status())
                    .isEqualTo(OutcomeStatus.ACCEPTED);
            ledger.readValuesToList();

            // When the credit arrives
            deliver(credit);
            deliver(singleLeg());
            // Then acc-b refused it, acc-a got its money back, and its transfer is no longer in flight
            Outcome o = singleOutcome();
            assertThat(o.reason()).isEqualTo(RejectionReason.ACCOUNT_CLOSED);
            assertThat(o.transferStatus()).isEqualTo(TransferStatus.REFUNDED);
            assertThat(balanceOf("acc-a")).isEqualTo(100_00);
            assertThat(balanceOf("acc-b")).isZero();
            assertThat(accountsStore().get("acc-a").pendingTransfersOut()).isZero();
            assertThat(ledger.readValuesToList()).extracting(LedgerEntry::accountId, LedgerEntry::type)
                    .containsExactly(tuple("acc-a", EntryType.TRANSFER_REFUND));
        }

        @Test
        void theDailyOutflowLimitHoldsToTheCentWithinABusinessDayAndStartsAfreshAtMidnight() {
            givenAccount("acc-a", "EUR", "1000");
            givenAccount("acc-b", "EUR", null);
            assertThat(sendAndReadOutcome(Command.setLimits("lim-1", "acc-a", "50", "300", null)).status())
                    .isEqualTo(OutcomeStatus.ACCEPTED);
            Instant lateEvening = Instant.parse("2025-03-01T23:59:58Z");
            commands.pipeInput("acc-a", COMMANDS.serialize(Command.debit("d-1", "acc-a", "200")), lateEvening);
            commands.pipeInput("acc-a", COMMANDS.serialize(Command.transfer("tr-1", "acc-a", "acc-b", "100", null)),
                    lateEvening.plusMillis(1));
            commands.pipeInput("acc-a", COMMANDS.serialize(Command.debit("d-2", "acc-a", "0.01")),
                    lateEvening.plusMillis(2));
            List<Outcome> sameDay = results.readValuesToList();
            assertThat(sameDay).extracting(Outcome::transactionId, Outcome::reason)
                    .containsExactly(tuple("d-1", null), tuple("d-2", RejectionReason.LIMIT_EXCEEDED));
            // the next business day, 2 s later: the whole limit again
            commands.pipeInput("acc-a", COMMANDS.serialize(Command.debit("d-3", "acc-a", "300")),
                    lateEvening.plusSeconds(2));
            Outcome next = singleOutcome();
            assertThat(next.status()).isEqualTo(OutcomeStatus.ACCEPTED);
            assertThat(next.balanceMinor()).isEqualTo(1000_00 - 200_00 - 100_00 - 300_00);
            assertThat(accountsStore().get("acc-a").outflowOn(java.time.LocalDate.of(2025, 3, 2))).isEqualTo(300_00);
        }

        @Test
        void aFrozenAccountStillReceivesTransfersButSendsNone() {
            givenAccount("acc-a", "EUR", "100");
            givenAccount("acc-b", "EUR", "100");
            assertThat(sendAndReadOutcome(Command.of(CommandType.FREEZE_ACCOUNT, "freeze-b", "acc-b")).status())
                    .isEqualTo(OutcomeStatus.ACCEPTED);
            send(Command.transfer("tr-1", "acc-a", "acc-b", "40", null));
            deliver(singleLeg());
            deliver(singleLeg());
            assertThat(singleOutcome().transferStatus()).isEqualTo(TransferStatus.COMPLETED);
            assertThat(balanceOf("acc-b")).isEqualTo(140_00);
            Outcome out = sendAndReadOutcome(Command.transfer("tr-2", "acc-b", "acc-a", "1", null));
            assertThat(out.reason()).isEqualTo(RejectionReason.ACCOUNT_FROZEN);
            assertThat(sentLegs.isEmpty()).isTrue();
        }

        @Test
        void publishesTheTransfersOneOutcomeOnlyWhenTheSourceLearnsTheCreditLanded() {
            // Given acc-a with 1000.00 and acc-b with nothing
            givenAccount("acc-a", "EUR", "1000");
            givenAccount("acc-b", "EUR", null);

            // When acc-a transfers 250.00
            send(Command.transfer("tr-1", "acc-a", "acc-b", "250", null));
            // Then acc-a is debited and a CREDIT leg is on its way, but no outcome is published yet
            assertThat(results.isEmpty()).isTrue();
            assertThat(balanceOf("acc-a")).isEqualTo(75_000);
            assertThat(transferSeenBy("acc-a", "tr-1").status()).isEqualTo(TransferStatus.PENDING);
            assertThat(ledger.readValuesToList()).extracting(LedgerEntry::type)
                    .containsExactly(EntryType.TRANSFER_OUT);
            TestRecord<String, TransferLeg> credit = singleLeg();
            assertThat(credit.key()).isEqualTo("acc-b");
            assertThat(credit.value().type()).isEqualTo(LegType.CREDIT);

            // When the CREDIT leg is delivered
            deliver(credit);
            // Then acc-b is credited and answers COMPLETED, still without an outcome
            assertThat(results.isEmpty()).isTrue();
            assertThat(balanceOf("acc-b")).isEqualTo(25_000);
            assertThat(ledger.readValuesToList()).extracting(LedgerEntry::type).containsExactly(EntryType.TRANSFER_IN);
            assertThat(transferSeenBy("acc-a", "tr-1").status()).isEqualTo(TransferStatus.PENDING);
            TestRecord<String, TransferLeg> completed = singleLeg();
            assertThat(completed.key()).isEqualTo("acc-a");
            assertThat(completed.value().type()).isEqualTo(LegType.COMPLETED);

            // When the COMPLETED leg is delivered
            deliver(completed);
            // Then the one outcome is published, and no more legs or postings follow
            Outcome o = singleOutcome();
            assertThat(o.status()).isEqualTo(OutcomeStatus.ACCEPTED);
            assertThat(o.transferStatus()).isEqualTo(TransferStatus.COMPLETED);
            assertThat(transferSeenBy("acc-a", "tr-1").status()).isEqualTo(TransferStatus.COMPLETED);
            assertThat(sentLegs.isEmpty()).isTrue();
            assertThat(ledger.isEmpty()).isTrue();
        }

        @Test
        void answersRetryWhileLegsAreInFlightWithPendingAndAfterCompletionWithTheFinalOutcome() {
            // Given a transfer whose CREDIT leg has not been delivered yet
            givenAccount("acc-a", "EUR", "1000");
            givenAccount("acc-b", "EUR", null);
            send(Command.transfer("tr-1", "acc-a", "acc-b", "250", null));
            TestRecord<String, TransferLeg> credit = singleLeg();
            ledger.readValuesToList();

            // When the transfer command is retried
            Outcome inFlight = sendAndReadOutcome(Command.transfer("tr-1", "acc-a", "acc-b", "250", null));
            // Then the retry is answered at once with PENDING, marked replayed, and nothing is sent or posted again
            assertThat(inFlight.status()).isEqualTo(OutcomeStatus.PENDING);
            assertThat(inFlight.transferStatus()).isEqualTo(TransferStatus.PENDING);
            assertThat(inFlight.replayed()).isTrue();
            assertThat(inFlight.transactionId()).isEqualTo("tr-1");
            assertThat(inFlight.balanceMinor()).isEqualTo(75_000);
            assertNothingHappened();

            // When the legs are delivered
            deliver(credit);
            deliver(singleLeg());
            Outcome done = singleOutcome();
            // and the command is retried once more
            Outcome after = sendAndReadOutcome(Command.transfer("tr-1", "acc-a", "acc-b", "250", null));
            // Then the retry gets the final outcome, replayed
            assertThat(done.status()).isEqualTo(OutcomeStatus.ACCEPTED);
            assertThat(done.replayed()).isFalse();
            assertThat(after).isEqualTo(done.asReplay());
            assertThat(balanceOf("acc-a")).isEqualTo(75_000);
            assertThat(balanceOf("acc-b")).isEqualTo(25_000);
        }

        @Test
        void ignoresCreditDeliveredTwiceBeforeItsAnswerArrivedAndPublishesOneOutcome() {
            // Given a transfer in flight
            givenAccount("acc-a", "EUR", "1000");
            givenAccount("acc-b", "EUR", null);
            send(Command.transfer("tr-1", "acc-a", "acc-b", "250", null));
            TestRecord<String, TransferLeg> credit = singleLeg();
            ledger.readValuesToList();
            // When the CREDIT leg is delivered twice, and then every answer twice
            deliver(credit);
            deliver(credit);
            List<TestRecord<String, TransferLeg>> answers = sentLegs.readRecordsToList();
            for (TestRecord<String, TransferLeg> answer : answers) {
                deliver(answer);
                deliver(answer);
            }
            // Then acc-b was credited once, answered once, and the transfer has one outcome
            assertThat(answers).extracting(r -> r.value().type()).containsExactly(LegType.COMPLETED);
            assertThat(ledger.readValuesToList()).extracting(LedgerEntry::type).containsExactly(EntryType.TRANSFER_IN);
            assertThat(results.readValuesToList()).hasSize(1);
            assertThat(balanceOf("acc-b")).isEqualTo(25_000);
            assertThat(balanceOf("acc-a")).isEqualTo(75_000);
        }

        @Test
        void appliesLegsOfInterleavedTransfersDeliveredInReverseOrder() {
            // Given three EUR accounts
            givenAccount("acc-a", "EUR", "100");
            givenAccount("acc-b", "EUR", "100");
            givenAccount("acc-c", "EUR", "100");
            // When a → b, b → c and c → a are sent before any leg travels
            send(Command.transfer("tr-ab", "acc-a", "acc-b", "10", null));
            send(Command.transfer("tr-bc", "acc-b", "acc-c", "20", null));
            send(Command.transfer("tr-ca", "acc-c", "acc-a", "30", null));
            List<TestRecord<String, TransferLeg>> credits = new ArrayList<>(sentLegs.readRecordsToList());
            // and their credits, then their answers, are delivered last first
            Collections.reverse(credits);
            credits.forEach(TransferTopologyTest.this::deliver);
            List<TestRecord<String, TransferLeg>> answers = new ArrayList<>(sentLegs.readRecordsToList());
            Collections.reverse(answers);
            answers.forEach(TransferTopologyTest.this::deliver);
            // Then all three complete, in the order their answers arrived
            assertThat(results.readValuesToList()).extracting(Outcome::transactionId, Outcome::transferStatus)
                    .containsExactly(tuple("tr-ab", TransferStatus.COMPLETED),
                            tuple("tr-bc", TransferStatus.COMPLETED), tuple("tr-ca", TransferStatus.COMPLETED));
            assertThat(balanceOf("acc-a")).isEqualTo(10_000 - 1_000 + 3_000);
            assertThat(balanceOf("acc-b")).isEqualTo(10_000 + 1_000 - 2_000);
            assertThat(balanceOf("acc-c")).isEqualTo(10_000 + 2_000 - 3_000);
        }

        @Test
        void refundsCreditWhoseTransferIdTheDestinationAlreadyKnowsFromAnotherSource() {
            // Given acc-b has received transfer "inv-1" from acc-a (transactionIds are only unique per account)
            givenAccount("acc-a", "EUR", "100");
            givenAccount("acc-c", "EUR", "100");
            givenAccount("acc-b", "EUR", null);
            send(Command.transfer("inv-1", "acc-a", "acc-b", "10", null));
            deliver(singleLeg());
            deliver(singleLeg());
            assertThat(singleOutcome().transferStatus()).isEqualTo(TransferStatus.COMPLETED);
            ledger.readValuesToList();
            // When acc-c sends its own transfer "inv-1" to acc-b, and its legs travel
            send(Command.transfer("inv-1", "acc-c", "acc-b", "20", null));
            deliver(singleLeg());
            TestRecord<String, TransferLeg> answer = singleLeg();
            deliver(answer);
            // Then acc-c's money is not stranded in flight: the credit is refused and refunded
            assertThat(answer.value().type()).isEqualTo(LegType.REFUND);
            assertThat(answer.value().reason()).isEqualTo(RejectionReason.IDEMPOTENCY_CONFLICT);
            Outcome o = singleOutcome();
            assertThat(o.accountId()).isEqualTo("acc-c");
            assertThat(o.transferStatus()).isEqualTo(TransferStatus.REFUNDED);
            assertThat(balanceOf("acc-c")).isEqualTo(10_000);
            assertThat(balanceOf("acc-b")).isEqualTo(1_000);
            // and acc-b's view of acc-a's transfer is untouched
            assertThat(transferSeenBy("acc-b", "inv-1").fromAccountId()).isEqualTo("acc-a");
            assertThat(transferSeenBy("acc-b", "inv-1").status()).isEqualTo(TransferStatus.COMPLETED);
            assertThat(values(transfersStore())).noneMatch(t -> t.status() == TransferStatus.PENDING);
        }

        @Test
        void refundsCreditWhoseTransferIdIsOneTheDestinationSentItself() {
            // Given acc-b has a transfer "inv-1" of its own in flight to acc-c
            givenAccount("acc-a", "EUR", "100");
            givenAccount("acc-b", "EUR", "100");
            givenAccount("acc-c", "EUR", null);
            send(Command.transfer("inv-1", "acc-b", "acc-c", "10", null));
            TestRecord<String, TransferLeg> bToC = singleLeg();
            ledger.readValuesToList();
            // When acc-a's transfer "inv-1" reaches acc-b first
            send(Command.transfer("inv-1", "acc-a", "acc-b", "20", null));
            deliver(singleLeg());
            deliver(singleLeg());
            // Then acc-a is refunded instead of waiting forever
            Outcome o = singleOutcome();
            assertThat(o.accountId()).isEqualTo("acc-a");
            assertThat(o.reason()).isEqualTo(RejectionReason.IDEMPOTENCY_CONFLICT);
            assertThat(o.transferStatus()).isEqualTo(TransferStatus.REFUNDED);
            assertThat(balanceOf("acc-a")).isEqualTo(10_000);
            // and acc-b's own transfer still completes
            deliver(bToC);
            deliver(singleLeg());
            assertThat(singleOutcome().transferStatus()).isEqualTo(TransferStatus.COMPLETED);
            assertThat(balanceOf("acc-b")).isEqualTo(9_000);
            assertThat(balanceOf("acc-c")).isEqualTo(1_000);
        }

        /** Delivers one random leg in flight (keeping a copy to deliver again later if asked); collects what follows. */
        private void deliverRandomLeg(Random random, List<TestRecord<String, TransferLeg>> inFlight,
                                      List<LedgerEntry> entries, boolean keepDuplicate) {
            TestRecord<String, TransferLeg> leg = inFlight.remove(random.nextInt(inFlight.size()));
            if (keepDuplicate) inFlight.add(leg);
            deliver(leg);
            inFlight.addAll(sentLegs.readRecordsToList());
            entries.addAll(ledger.readValuesToList());
        }

        @ParameterizedTest(name = "seed {0}")
        @ValueSource(longs = {1L, 7L, 42L})
        void conservesMoneyWhileLegsAreInFlightDelayedReorderedAndDuplicated(long seed) {
            // Given the account logic alone (random transfers a second apart are what the fraud rules hold for review,
            // which would keep most legs from ever being in flight: FraudTopologyTest covers the rules)
            driver.close();
            config = config.withFraud(dev.bank.processor.config.FraudConfig.defaults().withEnabled(false));
            startTopologyWithLegOutbox();
            // and a seeded random workload, and legs that travel late, in random order, some of them twice
            Random random = new Random(seed);
            List<LedgerEntry> entries = new ArrayList<>();
            List<TestRecord<String, TransferLeg>> inFlight = new ArrayList<>();
            int sent = 200;
            int maxInFlight = 0;
            // When commands and leg deliveries interleave
            for (int i = 0; i < sent; i++) {
                send(randomCommand(random, i));
                inFlight.addAll(sentLegs.readRecordsToList());
                entries.addAll(ledger.readValuesToList());
                maxInFlight = Math.max(maxInFlight, inFlight.size());
                // Then at every step: balances + in flight = external credits − external debits, per currency
                assertMoneyIsConserved(entries, false);
                // on average a little fewer deliveries than legs written, so a backlog builds up and drains
                int deliveries = random.nextInt(4) == 0 ? 0 : random.nextInt(3);
                for (int d = 0; d < deliveries && !inFlight.isEmpty(); d++) {
                    deliverRandomLeg(random, inFlight, entries, random.nextInt(10) == 0);
                    assertMoneyIsConserved(entries, false);
                }
            }
            // When every remaining leg (and every duplicate) is finally delivered
            while (!inFlight.isEmpty()) {
                deliverRandomLeg(random, inFlight, entries, false);
            }
            // Then nothing is in flight, balances match the ledger, and each command has exactly one outcome
            assertThat(maxInFlight).as("legs really were in flight").isGreaterThan(3);
            assertMoneyIsConserved(entries, true);
            assertEachBalanceIsTheReplayOfItsLedger(entries);
            assertOneFinalOutcomePerCommand(results.readValuesToList(), sent);
            assertThat(deadLetters.isEmpty()).isTrue();
        }
    }
}
