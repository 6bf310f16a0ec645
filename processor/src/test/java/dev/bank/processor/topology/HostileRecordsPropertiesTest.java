package dev.bank.processor.topology;

import dev.bank.processor.config.ProcessorConfig;
import dev.bank.schemas.Command;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.OutcomeStatus;
import dev.bank.schemas.Topics;
import dev.bank.schemas.WireHeaders;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.bank.processor.topology.TopologyTests.COMMANDS;
import static dev.bank.processor.topology.TopologyTests.OUTCOMES;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Generated records from outside (any key, value and headers: garbage, near-miss commands, duplicate keys, data
 * after the document, huge sizes) through the topology: processing never throws, every record is answered or
 * dead-lettered, every dead letter is small enough to be written, and the next command of another account is
 * applied (nothing stalls).
 */
class HostileRecordsPropertiesTest {
    private static final Instant T0 = Instant.parse("2025-03-01T09:00:00Z");
    private static final List<String> FIELDS = List.of("type", "transactionId", "accountId", "amount", "currency",
            "toAccountId", "reference", "interestRate", "note", "overdraftLimit", "dailyOutflowLimit",
            "debitInterestRate", "holdId", "expiresAt", "fx", "reviewId", "fraudRules");

    private Path stateDir;
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> commands;
    private TestOutputTopic<String, Outcome> results;
    private TestOutputTopic<String, byte[]> deadLetters;
    private int sequence;

    @BeforeProperty
    void start() throws IOException {
        stateDir = Files.createTempDirectory("hostile-records");
        ProcessorConfig config = ProcessorConfig.fromEnv(TopologyTests.ONE_PARTITION).withStateDir(stateDir);
        Topics topics = config.topics();
        driver = new TopologyTestDriver(BankTopology.build(config, new SimpleMeterRegistry()),
                config.streamsProperties(), T0);
        commands = driver.createInputTopic(topics.commands(), new StringSerializer(), new ByteArraySerializer());
        results = driver.createOutputTopic(topics.results(), new StringDeserializer(), OUTCOMES.valueSerde());
        deadLetters = driver.createOutputTopic(topics.deadLetter(), new StringDeserializer(), new ByteArrayDeserializer());
        send(Command.open("open-control", "control", "EUR", "1"));
        send(Command.open("open-acc-1", "acc-1", "EUR", "100"));
        send(Command.open("open-acc-usd", "acc-usd", "USD", null));
        results.readValuesToList();
    }

    @AfterProperty
    void stop() throws IOException {
        driver.close();
        try (Stream<Path> files = Files.walk(stateDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private void send(Command command) {
        commands.pipeInput(command.accountId(), COMMANDS.serialize(command));
    }

    @Property(tries = 400)
    void everyRecordIsAnsweredOrDeadLetteredAndNothingStalls(@ForAll("keys") String key,
                                                            @ForAll("values") byte[] value,
                                                            @ForAll("headers") List<Header> headers) {
        // When a hostile record arrives, then a command of another account
        commands.pipeInput(new TestRecord<>(key, value, new RecordHeaders(headers.toArray(Header[]::new)), T0));
        List<Outcome> answers = results.readValuesToList();
        List<TestRecord<String, byte[]>> letters = deadLetters.readRecordsToList();
        String control = "c-" + sequence++;
        send(Command.credit(control, "control", "1"));

        // Then the record was answered or dead-lettered, each dead letter within what a producer can write
        assertThat(answers.size() + letters.size()).as("answered or dead-lettered").isPositive();
        for (TestRecord<String, byte[]> letter : letters) {
            assertThat(size(letter)).as("dead letter size").isLessThanOrEqualTo(DeadLetters.MAX_COPY_BYTES + 4096);
        }
        // and the next command was applied
        List<Outcome> next = results.readValuesToList();
        assertThat(next).hasSize(1);
        assertThat(next.get(0).transactionId()).isEqualTo(control);
        assertThat(next.get(0).status()).isEqualTo(OutcomeStatus.ACCEPTED);
    }

    private static long size(TestRecord<String, byte[]> r) {
        return TopologyTests.size(r.key(), r.value(), r.headers());
    }

    @Provide
    Arbitrary<String> keys() {
        Arbitrary<String> huge = Arbitraries.strings().withChars('k', 'é', '\u0000').ofMinLength(100_000)
                .ofMaxLength(600_000);
        return Arbitraries.frequencyOf(List.of(Tuple.of(6, Arbitraries.just("acc-1")),
                Tuple.of(1, Arbitraries.just((String) null)), Tuple.of(2, Arbitraries.strings().ofMaxLength(80)),
                Tuple.of(1, huge)));
    }

    @Provide
    Arbitrary<byte[]> values() {
        Arbitrary<byte[]> none = Arbitraries.just(null);
        Arbitrary<byte[]> garbage = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        Arbitrary<byte[]> json = documents().map(s -> s.getBytes(StandardCharsets.UTF_8));
        Arbitrary<byte[]> large = Arbitraries.integers().between(16_000, 1_100_000).map(n -> {
            byte[] big = new byte[n];
            java.util.Arrays.fill(big, (byte) '7');
            return big;
        });
        return Arbitraries.frequencyOf(List.of(Tuple.of(1, none), Tuple.of(2, garbage), Tuple.of(8, json),
                Tuple.of(1, large)));
    }

    /** Near-miss command documents: known and unknown fields with values of every JSON kind, and broken framing. */
    private Arbitrary<String> documents() {
        Arbitrary<String> fieldValue = Arbitraries.oneOf(
                Arbitraries.of("\"OPEN_ACCOUNT\"", "\"CREDIT\"", "\"DEBIT\"", "\"TRANSFER\"", "\"SET_INTEREST_RATE\"",
                        "\"SET_LIMITS\"", "\"FREEZE_ACCOUNT\"", "\"UNFREEZE_ACCOUNT\"", "\"CLOSE_ACCOUNT\"",
                        "\"PLACE_HOLD\"", "\"CAPTURE_HOLD\"", "\"VOID_HOLD\"", "\"h-1\"",
                        "\"SET_FRAUD_RULES\"", "\"APPROVE_REVIEW\"", "\"REJECT_REVIEW\"",
                        "\"2025-03-01T09:30:00Z\"", "\"2025-03-01T08:00:00Z\"", "\"9999-12-31T23:59:59Z\"",
                        "\"2025-03-01T09:30:00\"", "\"+999999999-12-31T23:59:59Z\"",
                        "\"acc-1\"", "\"acc-2\"", "\"acc-usd\"", "\"bank.fx.USD\"", "\"EUR\"", "\"eur\"", "\"t-1\"", "null", "true", "[]", "{}",
                        "\"1.005\"", "\"-5\"", "0", "-1", "1e400", "1E-400", "1e10000000", "\"1e3\"", "12.34",
                        "\"0.025\"", "99999999999999999999999999999999999999999", "{\"a\":{\"b\":[1]}}"),
                Arbitraries.strings().ofMaxLength(50).map(s -> '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"'),
                Arbitraries.bigDecimals().map(d -> d.toString()),
                quotes(),
                fraudRules());
        Arbitrary<String> member = Combinators.combine(Arbitraries.of(FIELDS), fieldValue)
                .as((name, v) -> '"' + name + "\":" + v);
        Arbitrary<String> object = member.list().ofMaxSize(12).map(ms -> "{" + String.join(",", ms) + "}");
        Arbitrary<String> trailing = object.map(o -> o + " {\"amount\":500}");
        Arbitrary<String> duplicate = object.map(o -> o.replace("}", ",\"amount\":1,\"amount\":500}"));
        Arbitrary<String> deep = Arbitraries.integers().between(1, 200).map(n -> "[".repeat(n) + "]".repeat(n));
        return Arbitraries.frequencyOf(List.of(Tuple.of(6, object), Tuple.of(1, trailing), Tuple.of(1, duplicate),
                Tuple.of(1, deep)));
    }

    /** The {@code fraudRules} of SET_FRAUD_RULES: thresholds near and far from valid, and of the wrong kinds. */
    private static Arbitrary<String> fraudRules() {
        Arbitrary<String> member = Arbitraries.of("\"enabled\":false", "\"enabled\":\"no\"", "\"velocityMaxCount\":0",
                "\"velocityMaxCount\":1", "\"velocityMaxCount\":99999999999", "\"largeAmountFactor\":1",
                "\"largeAmountFactor\":2", "\"dailyOutflowCap\":\"0\"", "\"dailyOutflowCap\":\"1.001\"",
                "\"dailyOutflowCap\":\"" + "9".repeat(39) + "\"", "\"newPayeeAmount\":\"0.00\"",
                "\"newPayeeAmount\":12", "\"structuringThreshold\":\"99999999999999999999999999\"",
                "\"structuringThreshold\":\"0.01\"", "\"other\":1");
        return member.list().ofMaxSize(4).map(ms -> "{" + String.join(",", ms) + "}");
    }

    /** The {@code fx} of a TRANSFER: quotes near and far from valid (currencies, rates, validity, shape). */
    private static Arbitrary<String> quotes() {
        Arbitrary<String> currency = Arbitraries.of("\"EUR\"", "\"USD\"", "\"JPY\"", "\"eur\"", "\"XYZ\"", "1", "null");
        Arbitrary<String> rate = Arbitraries.of("\"1.0832\"", "\"0\"", "\"-1\"", "\"1e3\"", "1.1", "\"0.0000000000000001\"",
                "\"999999999999.9999999999999999\"", "\"" + "9".repeat(40) + "\"", "null");
        Arbitrary<String> until = Arbitraries.of("\"2025-03-01T09:30:00Z\"", "\"2025-03-01T08:00:00Z\"",
                "\"+999999999-12-31T23:59:59Z\"", "\"soon\"", "null");
        return Combinators.combine(currency, currency, rate, until, Arbitraries.of("\"q-1\"", "\"\"", "7"))
                .as((from, to, r, u, id) -> "{\"quoteId\":" + id + ",\"from\":" + from + ",\"to\":" + to
                        + ",\"rate\":" + r + ",\"validUntil\":" + u + "}");
    }

    @Provide
    Arbitrary<List<Header>> headers() {
        Arbitrary<Header> any = Combinators.combine(Arbitraries.strings().ofMinLength(1).ofMaxLength(20),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(64)).as(RecordHeader::new);
        Arbitrary<Header> request = Arbitraries.bytes().array(byte[].class).ofMaxSize(300)
                .map(v -> new RecordHeader(WireHeaders.REQUEST_ID, v));
        Arbitrary<Header> big = Arbitraries.integers().between(10_000, 400_000)
                .map(n -> new RecordHeader("big", new byte[n]));
        return Arbitraries.frequencyOf(List.of(Tuple.of(8, any), Tuple.of(2, request), Tuple.of(1, big)))
                .list().ofMaxSize(4);
    }
}
