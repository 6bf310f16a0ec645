package dev.bank.processor.topology;

import static dev.bank.processor.topology.TopologyTests.COMMANDS;
import static dev.bank.processor.topology.TopologyTests.LEDGER;
import static dev.bank.processor.topology.TopologyTests.OUTCOMES;
import static dev.bank.processor.topology.TopologyTests.ONE_PARTITION;
import dev.bank.processor.config.ProcessorConfig;
import dev.bank.processor.store.StoreSchemas;
import dev.bank.schemas.Account;
import dev.bank.schemas.AccountStatus;
import dev.bank.schemas.Command;
import dev.bank.schemas.FraudRules;
import dev.bank.schemas.CommandType;
import dev.bank.schemas.EntryType;
import dev.bank.schemas.LedgerEntry;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.OutcomeStatus;
import dev.bank.schemas.ProcessedCommand;
import dev.bank.schemas.RejectionReason;
import dev.bank.schemas.Topics;
import dev.bank.schemas.WireHeaders;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.internals.WrappedStateStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole topology under {@link TopologyTestDriver}, configured exactly as production is
 * ({@link ProcessorConfig#streamsProperties()}, so exactly_once_v2), fed raw JSON bytes as an upstream producer
 * would write them: the README walk-through, idempotent retries and conflicts, poison records, per-account
 * ordering, store contents, purge of expired transactionIds, and the names that changelogs depend on.
 */
class BankTopologyTest {
    private static final Instant T0 = Instant.parse("2025-03-01T09:00:00Z");

    @TempDir
    Path stateDir;

    private ProcessorConfig config;
    private Topics topics;
    private Topology topology;
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> commands;
    private TestOutputTopic<String, Outcome> results;
    private TestOutputTopic<String, LedgerEntry> ledger;
    private TestOutputTopic<String, byte[]> deadLetters;

    @BeforeEach
    void startDriver() {
        config = ProcessorConfig.fromEnv(ONE_PARTITION).withStateDir(stateDir);
        topics = config.topics();
        topology = BankTopology.build(config, new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
        driver = new TopologyTestDriver(topology, config.streamsProperties(), T0);
        // every command record is one second after the previous one, starting at T0
        commands = driver.createInputTopic(topics.commands(), new StringSerializer(), new ByteArraySerializer(),
                T0, Duration.ofSeconds(1));
        results = driver.createOutputTopic(topics.results(), new StringDeserializer(), OUTCOMES.valueSerde());
        ledger = driver.createOutputTopic(topics.ledger(), new StringDeserializer(), LEDGER.valueSerde());
        deadLetters = driver.createOutputTopic(topics.deadLetter(), new StringDeserializer(),
                new ByteArrayDeserializer());
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    // ---- helpers: produce as upstream does, read what came out ----

    private void send(Command command) {
        commands.pipeInput(command.accountId(), COMMANDS.serialize(command));
    }

    private void sendJson(String key, String json) {
        commands.pipeInput(key, json.getBytes(StandardCharsets.UTF_8));
    }

    private Outcome sendAndReadOutcome(Command command) {
        send(command);
        return singleOutcome();
    }

    private Outcome singleOutcome() {
        List<Outcome> outcomes = results.readValuesToList();
        assertThat(outcomes).as("exactly one outcome per command").hasSize(1);
        return outcomes.get(0);
    }

    private KeyValueStore<String, Account> accountsStore() {
        return driver.getKeyValueStore(BankTopology.ACCOUNTS_STORE);
    }

    private long balanceOf(String accountId) {
        return accountsStore().get(accountId).balanceMinor();
    }

    private Outcome storedOutcome(String accountId, String transactionId) {
        KeyValueStore<String, ProcessedCommand> processed = driver.getKeyValueStore(BankTopology.PROCESSED_STORE);
        return processed.get(BankTopology.accountScopedKey(accountId, transactionId)).outcome();
    }

    /** All keys of a store; the iterator is closed, as every store iterator must be. */
    private static <V> List<String> keys(KeyValueStore<String, V> store) {
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, V> it = store.all()) {
            it.forEachRemaining(kv -> keys.add(kv.key));
        }
        return keys;
    }

    private static String header(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static String openJson(String txId, String accountId, String currency) {
        return """
                {"type":"OPEN_ACCOUNT","transactionId":"%s","accountId":"%s","currency":"%s"}"""
                .formatted(txId, accountId, currency);
    }

    // ---- configuration ----

    @Test
    void runsUnderTheProductionExactlyOnceV2Configuration() {
        // Given the properties the driver was built from
        Properties props = config.streamsProperties();
        // Then
        assertThat(props.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
        assertThat(props.get(StreamsConfig.STATE_DIR_CONFIG)).isEqualTo(stateDir.toAbsolutePath().toString());
    }

    // ---- the README walk-through ----

    @Test
    void walksThroughOpenCreditDebitAndRejectsOverdraw() {
        // Given an account opened in EUR (hand-written JSON, as an upstream system would produce it)
        sendJson("acc-1", openJson("t-open", "acc-1", "EUR"));
        Outcome opened = singleOutcome();
        assertThat(opened.status()).isEqualTo(OutcomeStatus.ACCEPTED);
        assertThat(opened.balanceMinor()).isZero();
        assertThat(opened.currency()).isEqualTo("EUR");

        // When 1000 is credited and 200 debited
        Outcome credited = sendAndReadOutcome(Command.credit("t-credit", "acc-1", "1000"));
        sendJson("acc-1", """
                {"type":"DEBIT","transactionId":"t-debit","accountId":"acc-1","amount":"200"}""");
        Outcome debited = singleOutcome();

        // Then the balance is 800.00 EUR = 80000 minor units
        assertThat(credited.status()).isEqualTo(OutcomeStatus.ACCEPTED);
        assertThat(credited.balanceMinor()).isEqualTo(100_000);
        assertThat(debited.status()).isEqualTo(OutcomeStatus.ACCEPTED);
        assertThat(debited.amountMinor()).isEqualTo(20_000);
        assertThat(debited.balanceMinor()).isEqualTo(80_000);
        assertThat(balanceOf("acc-1")).isEqualTo(80_000);

        // When 900 is debited
        Outcome overdraw = sendAndReadOutcome(Command.debit("t-overdraw", "acc-1", "900"));

        // Then it is rejected for insufficient funds and nothing changes
        assertThat(overdraw.status()).isEqualTo(OutcomeStatus.REJECTED);
        assertThat(overdraw.reason()).isEqualTo(RejectionReason.INSUFFICIENT_FUNDS);
        assertThat(overdraw.balanceMinor()).isEqualTo(80_000);
        assertThat(balanceOf("acc-1")).isEqualTo(80_000);

        // and the ledger holds exactly the two postings, keyed by the account
        List<TestRecord<String, LedgerEntry>> entries = ledger.readRecordsToList();
        assertThat(entries).extracting(TestRecord::key).containsOnly("acc-1");
        assertThat(entries).extracting(TestRecord::value).containsExactly(
                new LedgerEntry("acc-1", "t-credit", EntryType.CREDIT, 100_000, "EUR", 0, 100_000, 1,
                        T0.plusSeconds(1).toEpochMilli()),
                new LedgerEntry("acc-1", "t-debit", EntryType.DEBIT, 20_000, "EUR", 100_000, 80_000, 2,
                        T0.plusSeconds(2).toEpochMilli()));
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void keysOutcomesByAccountAndStampsThemWithTheCommandRecordTime() {
        // Given
        sendJson("acc-1", openJson("t-open", "acc-1", "EUR"));
        // When
        List<TestRecord<String, Outcome>> out = results.readRecordsToList();
        // Then
        assertThat(out).hasSize(1);
        assertThat(out.get(0).key()).isEqualTo("acc-1");
        assertThat(out.get(0).timestamp()).isEqualTo(T0.toEpochMilli());
        assertThat(out.get(0).value().timestamp()).isEqualTo(T0.toEpochMilli());
    }

    @Test
    void acceptsAmountAsAJsonNumberAndToleratesUnknownFields() {
        // Given
        sendJson("acc-1", openJson("t-open", "acc-1", "EUR"));
        results.readValuesToList();
        // When a newer producer writes a numeric amount and a field this processor does not know
        sendJson("acc-1", """
                {"type":"CREDIT","transactionId":"t-1","accountId":"acc-1","amount":12.50,"channel":"batch"}""");
        // Then
        Outcome o = singleOutcome();
        assertThat(o.status()).isEqualTo(OutcomeStatus.ACCEPTED);
        assertThat(o.amountMinor()).isEqualTo(1_250);
    }

    // ---- idempotency ----

    @Test
    void answersRetryWithSameBodyWithTheOriginalOutcomeWithoutPostingAgain() {
        // Given an account with 1000 and a debit of 200 under t-debit
        sendAndReadOutcome(Command.open("t-open", "acc-1", "EUR", "1000"));
        Outcome original = sendAndReadOutcome(Command.debit("t-debit", "acc-1", "200"));
        List<LedgerEntry> before = ledger.readValuesToList();
        assertThat(before).hasSize(2);

        // When the same command is retried, once as the same bytes and once written "200.00"
        Outcome sameBytes = sendAndReadOutcome(Command.debit("t-debit", "acc-1", "200"));
        sendJson("acc-1", """
                {"type":"DEBIT","transactionId":"t-debit","accountId":"acc-1","amount":"200.00"}""");
        Outcome rewritten = singleOutcome();

        // Then both answers are the original outcome, marked as replayed, and nothing is posted again
        assertThat(original.replayed()).isFalse();
        assertThat(sameBytes).isEqualTo(original.asReplay());
        assertThat(rewritten).isEqualTo(original.asReplay());
        assertThat(rewritten.balanceMinor()).isEqualTo(80_000);
        assertThat(ledger.isEmpty()).as("no second ledger entry").isTrue();
        assertThat(balanceOf("acc-1")).isEqualTo(80_000);
        assertThat(accountsStore().get("acc-1").sequence()).isEqualTo(2);
    }

    @Test
    void answersRetryOfRejectedCommandWithTheRejectionEvenAfterFundsArrived() {
        // Given an overdraw that was rejected, then a credit that would now cover it
        send(Command.open("t-open", "acc-1", "EUR", "100"));
        send(Command.debit("t-big", "acc-1", "500"));
        send(Command.credit("t-credit", "acc-1", "1000"));
        results.readValuesToList();
        ledger.readValuesToList();
        // When the rejected debit is retried under the same id
        Outcome retry = sendAndReadOutcome(Command.debit("t-big", "acc-1", "500"));
        // Then the first answer stands: a retry never becomes a second, different decision
        assertThat(retry.status()).isEqualTo(OutcomeStatus.REJECTED);
        assertThat(retry.reason()).isEqualTo(RejectionReason.INSUFFICIENT_FUNDS);
        assertThat(retry.replayed()).isTrue();
        assertThat(retry.balanceMinor()).as("the balance the first answer reported").isEqualTo(10_000);
        assertThat(ledger.isEmpty()).isTrue();
        assertThat(balanceOf("acc-1")).isEqualTo(110_000);
    }

    @Test
    void rejectsSameTransactionIdWithDifferentBodyAsIdempotencyConflictAndAppliesNothing() {
        // Given
        sendAndReadOutcome(Command.open("t-open", "acc-1", "EUR", "1000"));
        Outcome original = sendAndReadOutcome(Command.debit("t-debit", "acc-1", "200"));
        ledger.readValuesToList();

        // When the id is reused with another amount, and with another type
        Outcome otherAmount = sendAndReadOutcome(Command.debit("t-debit", "acc-1", "300"));
        Outcome otherType = sendAndReadOutcome(Command.credit("t-debit", "acc-1", "200"));

        // Then both are conflicts, nothing is applied
        for (Outcome conflict : List.of(otherAmount, otherType)) {
            assertThat(conflict.status()).isEqualTo(OutcomeStatus.REJECTED);
            assertThat(conflict.reason()).isEqualTo(RejectionReason.IDEMPOTENCY_CONFLICT);
            assertThat(conflict.transactionId()).isEqualTo("t-debit");
            assertThat(conflict.replayed()).isFalse();
        }
        assertThat(ledger.isEmpty()).isTrue();
        assertThat(balanceOf("acc-1")).isEqualTo(80_000);

        // and the original request under that id is still answered with its first outcome
        Outcome retry = sendAndReadOutcome(Command.debit("t-debit", "acc-1", "200"));
        assertThat(retry).isEqualTo(original.asReplay());
    }

    @Test
    void remembersTransactionIdsPerAccountSoTheSameIdOnAnotherAccountIsApplied() {
        // Given two accounts opened under the same transactionId
        Outcome a = sendAndReadOutcome(Command.open("t-1", "acc-a", "EUR", "10"));
        Outcome b = sendAndReadOutcome(Command.open("t-1", "acc-b", "EUR", "20"));
        // Then both were applied, neither is a replay
        assertThat(a.replayed()).isFalse();
        assertThat(b.replayed()).isFalse();
        assertThat(balanceOf("acc-a")).isEqualTo(1_000);
        assertThat(balanceOf("acc-b")).isEqualTo(2_000);
    }

    // ---- poison records ----

    static Stream<Arguments> poisonRecords() {
        return Stream.of(
                Arguments.of("not JSON", "acc-1", bytes("this is not json {"), DeadLetter.UNPARSEABLE),
                Arguments.of("truncated JSON", "acc-1", bytes("{\"type\":\"CREDIT\",\"transactionId\""),
                        DeadLetter.UNPARSEABLE),
                Arguments.of("JSON array", "acc-1", bytes("[1,2,3]"), DeadLetter.SCHEMA_VIOLATION),
                Arguments.of("unknown type", "acc-1", bytes("""
                        {"type":"TRANSFER_ALL","transactionId":"t-x","accountId":"acc-1","amount":"5"}"""),
                        DeadLetter.SCHEMA_VIOLATION),
                Arguments.of("missing type", "acc-1", bytes("""
                        {"transactionId":"t-x","accountId":"acc-1","amount":"5"}"""), DeadLetter.SCHEMA_VIOLATION),
                Arguments.of("missing transactionId", "acc-1", bytes("""
                        {"type":"CREDIT","accountId":"acc-1","amount":"5"}"""), DeadLetter.SCHEMA_VIOLATION),
                Arguments.of("blank transactionId", "acc-1", bytes("""
                        {"type":"CREDIT","transactionId":"  ","accountId":"acc-1","amount":"5"}"""),
                        DeadLetter.SCHEMA_VIOLATION),
                Arguments.of("missing accountId", "acc-1", bytes("""
                        {"type":"CREDIT","transactionId":"t-x","amount":"5"}"""), DeadLetter.SCHEMA_VIOLATION),
                Arguments.of("transactionId with a NUL character", "acc-1", bytes("""
                        {"type":"CREDIT","transactionId":"t\\u0000x","accountId":"acc-1","amount":"5"}"""),
                        DeadLetter.SCHEMA_VIOLATION),
                Arguments.of("accountId with spaces", "acc 1", bytes("""
                        {"type":"CREDIT","transactionId":"t-x","accountId":"acc 1","amount":"5"}"""),
                        DeadLetter.SCHEMA_VIOLATION),
                Arguments.of("JSON null", "acc-1", bytes("null"), DeadLetter.SCHEMA_VIOLATION),
                Arguments.of("null value (tombstone)", "acc-1", null, DeadLetter.INVALID_COMMAND),
                Arguments.of("negative amount on another account", "acc-1", bytes("""
                        {"type":"DEBIT","transactionId":"t-x","accountId":"acc-2","amount":"-5"}"""),
                        DeadLetter.SCHEMA_VIOLATION),
                Arguments.of("larger than a command may be", "acc-1", bytes("{\"type\":\"CREDIT\",\"transactionId\":"
                        + "\"t-x\",\"accountId\":\"acc-1\",\"amount\":\"5\",\"note\":\"" + "x".repeat(20_000) + "\"}"),
                        DeadLetter.TOO_LARGE),
                Arguments.of("key is not the accountId", "acc-2", bytes("""
                        {"type":"CREDIT","transactionId":"t-x","accountId":"acc-1","amount":"5"}"""),
                        DeadLetter.KEY_MISMATCH),
                Arguments.of("null key", null, bytes("""
                        {"type":"CREDIT","transactionId":"t-x","accountId":"acc-1","amount":"5"}"""),
                        DeadLetter.KEY_MISMATCH));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("poisonRecords")
    void deadLettersPoisonRecordWithOriginalBytesAndHeadersAndKeepsProcessing(
            String description, String key, byte[] value, DeadLetter reason) {
        // Given an open account (command offset 0)
        send(Command.open("t-open", "acc-1", "EUR", "100"));
        results.readValuesToList();
        ledger.readValuesToList();
        Instant poisonTime = T0.plusSeconds(30);
        Headers originalHeaders = new RecordHeaders()
                .add("trace-id", bytes("abc-123"))
                .add("producer", bytes("upstream-batch"));

        // When a poison record arrives (offset 1), followed by a valid credit that reuses its transactionId
        commands.pipeInput(new TestRecord<>(key, value, originalHeaders, poisonTime));
        send(Command.credit("t-x", "acc-1", "5"));

        // Then the poison record is on the dead-letter topic as it was, with the reason added
        List<TestRecord<String, byte[]>> dead = deadLetters.readRecordsToList();
        assertThat(dead).hasSize(1);
        TestRecord<String, byte[]> letter = dead.get(0);
        assertThat(letter.key()).isEqualTo(key);
        assertThat(letter.value()).isEqualTo(value);
        assertThat(letter.timestamp()).isEqualTo(poisonTime.toEpochMilli());
        Headers h = letter.headers();
        assertThat(header(h, "trace-id")).isEqualTo("abc-123");
        assertThat(header(h, "producer")).isEqualTo("upstream-batch");
        assertThat(header(h, DeadLetter.REASON_HEADER)).isEqualTo(reason.name());
        assertThat(header(h, DeadLetter.DETAIL_HEADER)).isNotBlank();
        assertThat(header(h, DeadLetter.SOURCE_TOPIC_HEADER)).isEqualTo(topics.commands());
        assertThat(header(h, DeadLetter.SOURCE_PARTITION_HEADER)).isEqualTo("0");
        assertThat(header(h, DeadLetter.SOURCE_OFFSET_HEADER)).isEqualTo("1");

        // and it produced no outcome or posting, while the next valid record was applied normally
        List<Outcome> outcomes = results.readValuesToList();
        assertThat(outcomes).hasSize(1);
        assertThat(outcomes.get(0).transactionId()).isEqualTo("t-x");
        assertThat(outcomes.get(0).status()).isEqualTo(OutcomeStatus.ACCEPTED);
        assertThat(outcomes.get(0).replayed()).as("a dead letter does not claim its transactionId").isFalse();
        assertThat(ledger.readValuesToList()).hasSize(1);
        assertThat(balanceOf("acc-1")).isEqualTo(10_500);
    }

    @Test
    void answersACommandThatBreaksTheSchemaButNamesItsAccountTransactionAndType() {
        // Given an open account
        send(Command.open("t-open", "acc-1", "EUR", "100"));
        results.readValuesToList();
        // When a debit with a negative amount arrives, as a gateway request would wait for it
        Headers request = new RecordHeaders().add(WireHeaders.REQUEST_ID, bytes("req-1"));
        commands.pipeInput(new TestRecord<>("acc-1", bytes("""
                {"type":"DEBIT","transactionId":"t-x","accountId":"acc-1","amount":"-5"}"""), request, T0));
        // Then it is dead-lettered, and answered: rejected, with the schema's reason, to the request that sent it
        assertThat(deadLetters.readRecordsToList()).extracting(r -> header(r.headers(), DeadLetter.REASON_HEADER))
                .containsExactly(DeadLetter.SCHEMA_VIOLATION.name());
        TestRecord<String, Outcome> answer = results.readRecord();
        assertThat(answer.value().status()).isEqualTo(OutcomeStatus.REJECTED);
        assertThat(answer.value().reason()).isEqualTo(RejectionReason.INVALID_COMMAND);
        assertThat(answer.value().type()).isEqualTo(CommandType.DEBIT);
        assertThat(answer.value().detail()).contains("$.amount");
        assertThat(header(answer.headers(), WireHeaders.REQUEST_ID)).isEqualTo("req-1");
        // and the refusal is remembered: the polling answer, and a retry under the id, get it; another command is a
        // conflict, and nothing moved
        assertThat(storedOutcome("acc-1", "t-x")).isEqualTo(answer.value());
        commands.pipeInput(new TestRecord<>("acc-1", bytes("""
                {"type":"DEBIT","transactionId":"t-x","accountId":"acc-1","amount":"-5"}"""), new RecordHeaders(), T0));
        assertThat(results.readValue()).isEqualTo(answer.value().asReplay());
        assertThat(sendAndReadOutcome(Command.credit("t-x", "acc-1", "5")).reason())
                .isEqualTo(RejectionReason.IDEMPOTENCY_CONFLICT);
        assertThat(balanceOf("acc-1")).isEqualTo(10_000);
    }

    @Test
    void survivesAStreamOfPoisonRecordsInterleavedWithValidCommands() {
        // Given
        send(Command.open("t-open", "acc-1", "EUR", null));
        // When every other record is poison
        for (int i = 1; i <= 10; i++) {
            sendJson("acc-1", i % 2 == 0 ? "garbage " + i : """
                    {"type":"CREDIT","transactionId":"t-%d","accountId":"acc-9","amount":"1"}""".formatted(i));
            send(Command.credit("t-ok-" + i, "acc-1", "1"));
        }
        // Then ten dead letters, eleven outcomes, all valid credits applied
        assertThat(deadLetters.readRecordsToList()).hasSize(10)
                .extracting(r -> header(r.headers(), DeadLetter.REASON_HEADER))
                .containsOnly(DeadLetter.UNPARSEABLE.name(), DeadLetter.KEY_MISMATCH.name());
        assertThat(results.readValuesToList()).hasSize(11).allMatch(Outcome::accepted);
        assertThat(balanceOf("acc-1")).isEqualTo(1_000);
    }

    // ---- ordering and independence ----

    @Test
    void appliesFiftyInterleavedCommandsOnOneAccountInInputOrder() {
        // Given an account opened with 100.00
        send(Command.open("t-open", "acc-1", "EUR", "100"));
        // exempt from the fraud rules, which would hold 50 payments in 50 s for review (FraudTopologyTest covers them)
        send(Command.setFraudRules("t-rules", "acc-1", new FraudRules(false, null, null, null, null, null)));
        assertThat(results.readValuesToList()).extracting(Outcome::status)
                .containsExactly(OutcomeStatus.ACCEPTED, OutcomeStatus.ACCEPTED);
        long modelBalance = 10_000;
        List<String> sentIds = new ArrayList<>();
        List<String> postedIds = new ArrayList<>(List.of("t-open"));
        List<Long> modelBalances = new ArrayList<>();
        List<OutcomeStatus> modelStatuses = new ArrayList<>();

        // When 50 credits and debits alternate, some debits too large to be covered
        for (int i = 1; i <= 50; i++) {
            boolean debit = i % 2 == 0;
            long minor = debit && i % 10 == 0 ? 1_000_000 : 100 + (i * 3_731L) % 5_000;
            String amount = minor / 100 + "." + String.format("%02d", minor % 100);
            String id = "t-" + i;
            send(debit ? Command.debit(id, "acc-1", amount) : Command.credit(id, "acc-1", amount));
            sentIds.add(id);
            boolean accepted = !debit || modelBalance >= minor;
            if (accepted) {
                modelBalance += debit ? -minor : minor;
                postedIds.add(id);
            }
            modelBalances.add(modelBalance);
            modelStatuses.add(accepted ? OutcomeStatus.ACCEPTED : OutcomeStatus.REJECTED);
        }

        // Then one outcome per command, in input order, matching the model
        List<Outcome> outcomes = results.readValuesToList();
        assertThat(outcomes).extracting(Outcome::transactionId).containsExactlyElementsOf(sentIds);
        assertThat(outcomes).extracting(Outcome::status).containsExactlyElementsOf(modelStatuses);
        assertThat(outcomes).extracting(Outcome::balanceMinor).containsExactlyElementsOf(modelBalances);
        assertThat(modelStatuses).as("the scenario includes rejections").contains(OutcomeStatus.REJECTED);

        // and the ledger has one entry per accepted posting, numbered 1..n, that replays to the balance
        List<LedgerEntry> entries = ledger.readValuesToList();
        assertThat(entries).extracting(LedgerEntry::transactionId).containsExactlyElementsOf(postedIds);
        long replayed = 0;
        for (int i = 0; i < entries.size(); i++) {
            LedgerEntry e = entries.get(i);
            assertThat(e.sequence()).isEqualTo(i + 1);
            assertThat(e.balanceBeforeMinor()).isEqualTo(replayed);
            replayed += e.type().sign() * e.amountMinor();
            assertThat(e.balanceAfterMinor()).isEqualTo(replayed);
        }
        assertThat(replayed).isEqualTo(modelBalance).isEqualTo(balanceOf("acc-1"));
        assertThat(accountsStore().get("acc-1").sequence()).isEqualTo(entries.size());
    }

    @Test
    void keepsTwoAccountsIndependent() {
        // Given a EUR account with 100 and a USD account with 50
        send(Command.open("t-a1", "acc-a", "EUR", "100"));
        send(Command.open("t-b1", "acc-b", "USD", "50"));
        // When their commands interleave
        send(Command.credit("t-a2", "acc-a", "25"));
        send(Command.debit("t-b2", "acc-b", "80"));   // more than acc-b holds, less than acc-a holds
        send(Command.debit("t-a3", "acc-a", "80"));
        send(new Command(CommandType.CREDIT, "t-b3", "acc-b", "5", "EUR"));
        // Then each account's outcomes and postings depend only on its own commands
        Map<String, List<Outcome>> byAccount = results.readValuesToList().stream()
                .collect(Collectors.groupingBy(Outcome::accountId));
        assertThat(byAccount.get("acc-a")).extracting(Outcome::status).containsOnly(OutcomeStatus.ACCEPTED);
        assertThat(byAccount.get("acc-b")).extracting(Outcome::reason)
                .containsExactly(null, RejectionReason.INSUFFICIENT_FUNDS, RejectionReason.CURRENCY_MISMATCH);
        Map<String, List<LedgerEntry>> entries = ledger.readRecordsToList().stream()
                .collect(Collectors.groupingBy(TestRecord::key,
                        Collectors.mapping(TestRecord::value, Collectors.toList())));
        assertThat(entries.get("acc-a")).extracting(LedgerEntry::sequence).containsExactly(1L, 2L, 3L);
        assertThat(entries.get("acc-b")).extracting(LedgerEntry::sequence).containsExactly(1L);
        assertThat(accountsStore().get("acc-a")).usingRecursiveComparison().ignoringFields("outflowDate", "outflowMinor")
                .isEqualTo(new Account("acc-a", "EUR", AccountStatus.OPEN, 4_500, 3, T0.toEpochMilli(), "0", "0",
                        AccountLogicTest.dayBefore(T0.toEpochMilli())).withEventSequence(3));
        assertThat(accountsStore().get("acc-b")).isEqualTo(new Account("acc-b", "USD", AccountStatus.OPEN,
                5_000, 1, T0.plusSeconds(1).toEpochMilli(), "0", "0", AccountLogicTest.dayBefore(T0.toEpochMilli()))
                .withEventSequence(1));
    }

    // ---- stores ----

    @Test
    void storesAccountsAndProcessedTransactionIdsAfterProcessing() {
        // Given
        send(Command.open("t-open", "acc-1", "EUR", null));
        send(Command.credit("t-credit", "acc-1", "1000"));
        send(Command.debit("t-debit", "acc-1", "200"));
        send(Command.credit("t-unknown", "nobody", "5"));
        // When the stores are read
        KeyValueStore<String, Account> accounts = accountsStore();
        KeyValueStore<String, ProcessedCommand> processed = driver.getKeyValueStore(BankTopology.PROCESSED_STORE);
        // Then the account holds its balance, currency, status, posting count and opening time
        assertThat(accounts.get("acc-1")).isEqualTo(
                new Account("acc-1", "EUR", AccountStatus.OPEN, 80_000, 2, T0.toEpochMilli(), "0", "0",
                        AccountLogicTest.dayBefore(T0.toEpochMilli()))
                        .withOutflow(T0.atZone(java.time.ZoneOffset.UTC).toLocalDate(), 20_000)
                        .withEventSequence(2));
        assertThat(accounts.get("nobody")).as("a rejection creates no account").isNull();
        assertThat(keys(accounts)).containsExactly("acc-1");
        // and every answered transactionId is remembered with its command and first outcome
        ProcessedCommand debit = processed.get(BankTopology.accountScopedKey("acc-1", "t-debit"));
        assertThat(debit.command()).isEqualTo(Command.debit("t-debit", "acc-1", "200"));
        assertThat(debit.outcome().balanceMinor()).isEqualTo(80_000);
        ProcessedCommand unknown = processed.get(BankTopology.accountScopedKey("nobody", "t-unknown"));
        assertThat(unknown.outcome().reason()).isEqualTo(RejectionReason.ACCOUNT_NOT_FOUND);
        assertThat(keys(processed)).containsExactlyInAnyOrder(BankTopology.accountScopedKey("acc-1", "t-open"),
                BankTopology.accountScopedKey("acc-1", "t-credit"), BankTopology.accountScopedKey("acc-1", "t-debit"),
                BankTopology.accountScopedKey("nobody", "t-unknown"));
    }

    @Test
    void storesAccountsAsAvroOfTheWrittenSchema() {
        // Given an account
        sendAndReadOutcome(Command.open("t-open", "acc-1", "EUR", null));
        // When a command for it is applied
        Outcome credit = sendAndReadOutcome(Command.credit("t-credit", "acc-1", "5"));
        assertThat(credit.balanceMinor()).isEqualTo(500);
        // Then the store holds Avro's single-object encoding, naming the written schema by its fingerprint
        byte[] raw = rawStore(BankTopology.ACCOUNTS_STORE).get(Bytes.wrap("acc-1".getBytes(StandardCharsets.UTF_8)));
        assertThat(raw[0]).isEqualTo((byte) 0xC3);
        assertThat(raw[1]).isEqualTo((byte) 0x01);
        assertThat(java.nio.ByteBuffer.wrap(raw, 2, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong())
                .isEqualTo(org.apache.avro.SchemaNormalization.parsingFingerprint64(StoreSchemas.written("Account")));
        assertThat(accountsStore().get("acc-1").balanceMinor()).isEqualTo(500);
    }

    /** The bytes under a store's serdes (test-only use of Kafka Streams internals). */
    @SuppressWarnings("unchecked")
    private KeyValueStore<Bytes, byte[]> rawStore(String name) {
        return (KeyValueStore<Bytes, byte[]>) ((WrappedStateStore<?, ?, ?>) driver.getKeyValueStore(name)).wrapped();
    }

    // ---- retention of processed transactionIds ----

    @Test
    void remembersTransactionIdsUntilTheRetentionHasPassed() {
        // Given a credit at T0 + 1s
        send(Command.open("t-open", "acc-1", "EUR", null));
        send(Command.credit("t-credit", "acc-1", "10"));
        results.readValuesToList();
        ledger.readValuesToList();
        // When the wall clock reaches one minute short of the retention (purges run on the way)
        driver.advanceWallClockTime(config.idempotencyRetention().minusMinutes(1));
        // Then a retry is still recognised and not applied
        Outcome retry = sendAndReadOutcome(Command.credit("t-credit", "acc-1", "10"));
        assertThat(retry.replayed()).isTrue();
        assertThat(ledger.isEmpty()).isTrue();
        assertThat(balanceOf("acc-1")).isEqualTo(1_000);
        assertThat(driver.<String, ProcessedCommand>getKeyValueStore(BankTopology.PROCESSED_STORE)
                .get(BankTopology.accountScopedKey("acc-1", "t-credit"))).isNotNull();
    }

    @Test
    void forgetsTransactionIdsAfterRetentionSoARetryAfterThePurgeIsAppliedAsANewCommand() {
        // Given a credit at T0 + 1s, and the wall clock past the retention plus one purge interval
        send(Command.open("t-open", "acc-1", "EUR", null));
        send(Command.credit("t-credit", "acc-1", "10"));
        results.readValuesToList();
        ledger.readValuesToList();
        driver.advanceWallClockTime(config.idempotencyRetention().minusMinutes(1));
        driver.advanceWallClockTime(Duration.ofMinutes(20));
        KeyValueStore<String, ProcessedCommand> processed = driver.getKeyValueStore(BankTopology.PROCESSED_STORE);
        assertThat(processed.get(BankTopology.accountScopedKey("acc-1", "t-credit"))).as("purged").isNull();

        // When the credit is retried under the same id
        Outcome retry = sendAndReadOutcome(Command.credit("t-credit", "acc-1", "10"));

        // Then, by design of the bounded retention, it is applied a second time
        assertThat(retry.status()).isEqualTo(OutcomeStatus.ACCEPTED);
        assertThat(retry.replayed()).isFalse();
        assertThat(ledger.readValuesToList()).extracting(LedgerEntry::sequence).containsExactly(2L);
        assertThat(balanceOf("acc-1")).isEqualTo(2_000);
    }

    // ---- names that changelogs and consumers depend on (style point 4) ----

    @Test
    void namesEveryNodeStoreAndTopicStably() {
        // Given
        TopologyDescription description = topology.describe();
        // Then there is one sub-topology: three sources → two processors sharing the stores → six sinks (the
        // command processor's interest and hold-expiry ticks and misplaced commands go to its internal topic)
        assertThat(description.subtopologies()).hasSize(1);
        assertThat(description.globalStores()).isEmpty();
        Map<String, TopologyDescription.Node> nodes = description.subtopologies().iterator().next().nodes()
                .stream().collect(Collectors.toMap(TopologyDescription.Node::name, n -> n));
        assertThat(nodes.keySet()).containsExactlyInAnyOrder("commands-source", "transfer-legs-source",
                "rerouted-commands-source", "command-processor", "transfer-leg-processor",
                "results-sink", "ledger-sink", "transfer-legs-sink", "dead-letter-sink", "tick-sink",
                "reroute-sink", "holds-sink", "fraud-alerts-sink", "account-events-sink", "replies-sink");

        TopologyDescription.Source source = (TopologyDescription.Source) nodes.get("commands-source");
        assertThat(source.topicSet()).containsExactly("bank.commands");
        assertThat(source.successors()).extracting(TopologyDescription.Node::name)
                .containsExactly("command-processor");
        TopologyDescription.Source rerouted = (TopologyDescription.Source) nodes.get("rerouted-commands-source");
        assertThat(rerouted.topicSet()).containsExactly("bank.commands.rerouted");
        assertThat(rerouted.successors()).extracting(TopologyDescription.Node::name)
                .containsExactly("command-processor");
        TopologyDescription.Source legs = (TopologyDescription.Source) nodes.get("transfer-legs-source");
        assertThat(legs.topicSet()).containsExactly("bank.transfer-legs");
        assertThat(legs.successors()).extracting(TopologyDescription.Node::name)
                .containsExactly("transfer-leg-processor");

        for (String name : List.of("command-processor", "transfer-leg-processor")) {
            TopologyDescription.Processor processor = (TopologyDescription.Processor) nodes.get(name);
            assertThat(processor.stores()).as(name).containsExactlyInAnyOrder("accounts", "processed-commands",
                    "transfers", "history", "holds", "hold-expiries", "fraud-profiles", "fraud-reviews",
                    "account-events", "housekeeping-index");
        }
        assertThat(nodes.get("command-processor").successors()).extracting(TopologyDescription.Node::name)
                .containsExactlyInAnyOrder("results-sink", "ledger-sink", "transfer-legs-sink", "dead-letter-sink",
                        "tick-sink", "reroute-sink", "holds-sink", "fraud-alerts-sink", "account-events-sink",
                        "replies-sink");
        assertThat(nodes.get("transfer-leg-processor").successors()).extracting(TopologyDescription.Node::name)
                .containsExactlyInAnyOrder("results-sink", "ledger-sink", "transfer-legs-sink", "dead-letter-sink",
                        "holds-sink", "fraud-alerts-sink", "account-events-sink", "replies-sink");

        assertThat(((TopologyDescription.Sink) nodes.get("results-sink")).topic()).isEqualTo("bank.results");
        assertThat(((TopologyDescription.Sink) nodes.get("ledger-sink")).topic()).isEqualTo("bank.ledger");
        assertThat(((TopologyDescription.Sink) nodes.get("transfer-legs-sink")).topic()).isEqualTo("bank.transfer-legs");
        assertThat(((TopologyDescription.Sink) nodes.get("dead-letter-sink")).topic()).isEqualTo("bank.dlq");
        assertThat(((TopologyDescription.Sink) nodes.get("tick-sink")).topic()).isEqualTo("bank.commands.rerouted");
        assertThat(((TopologyDescription.Sink) nodes.get("reroute-sink")).topic()).isEqualTo("bank.commands.rerouted");
        assertThat(((TopologyDescription.Sink) nodes.get("fraud-alerts-sink")).topic()).isEqualTo("bank.fraud-alerts");
        assertThat(((TopologyDescription.Sink) nodes.get("account-events-sink")).topic())
                .isEqualTo("bank.account-events");
        assertThat(((TopologyDescription.Sink) nodes.get("replies-sink")).topic()).isEqualTo("bank.replies");
        assertThat(BankTopology.REPLIES_SINK).isEqualTo("replies-sink");

        // and the constants the code uses are these literal names
        assertThat(List.of(BankTopology.SOURCE, BankTopology.LEGS_SOURCE, BankTopology.PROCESSOR,
                BankTopology.LEG_PROCESSOR, BankTopology.RESULTS_SINK, BankTopology.LEDGER_SINK,
                BankTopology.TRANSFER_LEGS_SINK, BankTopology.DEAD_LETTER_SINK, BankTopology.ACCOUNTS_STORE,
                BankTopology.PROCESSED_STORE, BankTopology.TRANSFERS_STORE, BankTopology.HISTORY_STORE,
                BankTopology.TICK_SINK, BankTopology.REROUTED_SOURCE, BankTopology.REROUTE_SINK,
                BankTopology.FRAUD_ALERTS_SINK, BankTopology.FRAUD_PROFILES_STORE, BankTopology.FRAUD_REVIEWS_STORE,
                BankTopology.ACCOUNT_EVENTS_SINK, BankTopology.ACCOUNT_EVENTS_STORE, BankTopology.HOUSEKEEPING_STORE))
                .containsExactly("commands-source",
                "transfer-legs-source", "command-processor", "transfer-leg-processor", "results-sink", "ledger-sink",
                "transfer-legs-sink", "dead-letter-sink", "accounts", "processed-commands", "transfers", "history",
                "tick-sink", "rerouted-commands-source", "reroute-sink", "fraud-alerts-sink", "fraud-profiles",
                "fraud-reviews", "account-events-sink", "account-events", "housekeeping-index");
    }

    @Test
    void writesStoreChangelogsUnderNamesDerivedFromTheApplicationIdAndStoreNames() {
        // Given
        send(Command.open("t-open", "acc-1", "EUR", "1"));
        // When
        var produced = driver.producedTopicNames();
        // Then
        assertThat(produced).contains("bank-processor-accounts-changelog",
                "bank-processor-processed-commands-changelog", "bank-processor-history-changelog", "bank.results",
                "bank.ledger");
    }
}
