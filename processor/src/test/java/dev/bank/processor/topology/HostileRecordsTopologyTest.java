package dev.bank.processor.topology;

import dev.bank.processor.config.ProcessorConfig;
import dev.bank.schemas.Command;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.OutcomeStatus;
import dev.bank.schemas.RejectionReason;
import dev.bank.schemas.Topics;
import dev.bank.schemas.WireHeaders;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static dev.bank.processor.topology.TopologyTests.COMMANDS;
import static dev.bank.processor.topology.TopologyTests.OUTCOMES;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Records from outside that no well-behaved producer sends, through the whole topology: too large to copy, on the
 * wrong partition, carrying hostile headers, or failing again and again. Each must be dealt with (answered,
 * rerouted or dead-lettered) without stopping the partition.
 */
class HostileRecordsTopologyTest {
    private static final Instant T0 = Instant.parse("2025-03-01T09:00:00Z");

    @TempDir
    Path stateDir;

    private Topics topics;
    private RecordFailures failures;
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> commands;
    private TestOutputTopic<String, Outcome> results;
    private TestOutputTopic<String, byte[]> deadLetters;
    private TestOutputTopic<String, byte[]> rerouted;

    private void start(int partitions) {
        ProcessorConfig config = ProcessorConfig.fromEnv(Map.of("BANK_TOPIC_PARTITIONS", String.valueOf(partitions)))
                .withStateDir(stateDir);
        topics = config.topics();
        failures = new RecordFailures();
        driver = new TopologyTestDriver(BankTopology.build(config, new SimpleMeterRegistry(), failures),
                config.streamsProperties(), T0);
        commands = driver.createInputTopic(topics.commands(), new StringSerializer(), new ByteArraySerializer(),
                T0, Duration.ofSeconds(1));
        results = driver.createOutputTopic(topics.results(), new StringDeserializer(), OUTCOMES.valueSerde());
        deadLetters = driver.createOutputTopic(topics.deadLetter(), new StringDeserializer(), new ByteArrayDeserializer());
        rerouted = driver.createOutputTopic(topics.rerouted(), new StringDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        if (driver != null) driver.close();
    }

    private void send(Command command) {
        commands.pipeInput(command.accountId(), COMMANDS.serialize(command));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String header(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** A key that Kafka's default partitioner puts on the given partition of {@code partitions}. */
    private static String keyOn(int partition, int partitions) {
        for (int i = 0; ; i++) {
            if (KeyPartitions.partitionOf("acc-" + i, partitions) == partition) return "acc-" + i;
        }
    }

    @Test
    void reroutesACommandOnAPartitionItsKeyDoesNotHashToAndAppliesOneThatIsOnItsOwn() {
        // Given two partitions, and the driver delivering everything on partition 0
        start(2);
        String home = keyOn(0, 2);
        String elsewhere = keyOn(1, 2);
        Headers request = new RecordHeaders().add(WireHeaders.REQUEST_ID, bytes("r-1"));
        // When a command for each arrives on partition 0
        send(Command.open("t-open", home, "EUR", "10"));
        commands.pipeInput(new TestRecord<>(elsewhere, COMMANDS.serialize(Command.open("t-open", elsewhere, "EUR", "10")), request, T0));
        // Then the one at home is applied, and the other goes unread, headers and all, to the rerouted topic
        assertThat(results.readValuesToList()).extracting(Outcome::accountId).containsExactly(home);
        List<TestRecord<String, byte[]>> forwarded = rerouted.readRecordsToList();
        assertThat(forwarded).hasSize(1);
        assertThat(forwarded.get(0).key()).isEqualTo(elsewhere);
        assertThat(header(forwarded.get(0).headers(), WireHeaders.REQUEST_ID)).isEqualTo("r-1");
        // (the driver reads the rerouted topic back on partition 0 again, where the next test picks it up; on a broker
        // it lands on partition 1: HostileRecordsIT)
    }

    @Test
    void deadLettersACommandThatArrivesMisplacedOnTheReroutedTopicInsteadOfSendingItRound() {
        start(2);
        String elsewhere = keyOn(1, 2);
        TestInputTopic<String, byte[]> reroutedIn = driver.createInputTopic(topics.rerouted(), new StringSerializer(),
                new ByteArraySerializer());
        reroutedIn.pipeInput(elsewhere, COMMANDS.serialize(Command.open("t-open", elsewhere, "EUR", "10")));
        assertThat(rerouted.isEmpty()).isTrue();
        assertThat(deadLetters.readRecordsToList()).extracting(r -> header(r.headers(), DeadLetter.REASON_HEADER))
                .containsExactly(DeadLetter.WRONG_PARTITION.name());
    }

    @Test
    void deadLettersARecordTooLargeToCopyAsAReferenceAndCarriesOn() {
        start(1);
        send(Command.open("t-open", "acc-1", "EUR", "10"));
        results.readValuesToList();
        // When a record of ~1 MB with large headers arrives (the broker takes up to 1 MB; its copy would not fit)
        byte[] huge = new byte[1_000_000];
        java.util.Arrays.fill(huge, (byte) 'x');
        Headers headers = new RecordHeaders().add("trace", new byte[40_000]);
        commands.pipeInput(new TestRecord<>("acc-1", huge, headers, T0));
        send(Command.credit("t-1", "acc-1", "5"));
        // Then its dead letter is a reference: where it was, its sizes and a prefix; the next command is applied
        TestRecord<String, byte[]> letter = deadLetters.readRecord();
        assertThat(letter.value()).hasSize(DeadLetters.PREFIX_BYTES);
        assertThat(header(letter.headers(), DeadLetter.REASON_HEADER)).isEqualTo(DeadLetter.TOO_LARGE.name());
        assertThat(header(letter.headers(), DeadLetter.TRUNCATED_HEADER)).isEqualTo("true");
        assertThat(header(letter.headers(), DeadLetter.ORIGINAL_VALUE_BYTES_HEADER)).isEqualTo("1000000");
        assertThat(header(letter.headers(), DeadLetter.SOURCE_OFFSET_HEADER)).isEqualTo("1");
        assertThat(letter.headers().lastHeader("trace")).as("original headers are not copied").isNull();
        assertThat(results.readValue().status()).isEqualTo(OutcomeStatus.ACCEPTED);
    }

    @Test
    void setsARecordAsideOnceItHasFailedTheAllowedNumberOfTimes() {
        start(1);
        send(Command.open("t-open", "acc-1", "EUR", "10"));
        results.readValuesToList();
        // Given the record at offset 1 made processing throw as often as allowed
        RecordMetadata poison = metadata(topics.commands(), 0, 1);
        for (int i = 0; i < RecordFailures.MAX_ATTEMPTS; i++) {
            assertThat(failures.failed(poison, new IllegalStateException("a bug"))).isTrue();
        }
        // When it is read again
        send(Command.credit("t-1", "acc-1", "5"));
        send(Command.credit("t-2", "acc-1", "5"));
        // Then it is dead-lettered unprocessed, with the last error, and the partition moves on
        TestRecord<String, byte[]> letter = deadLetters.readRecord();
        assertThat(header(letter.headers(), DeadLetter.REASON_HEADER)).isEqualTo(DeadLetter.PROCESSING_FAILED.name());
        assertThat(header(letter.headers(), DeadLetter.DETAIL_HEADER)).contains("a bug");
        assertThat(results.readValuesToList()).extracting(Outcome::transactionId).containsExactly("t-2");
    }

    @Test
    void copiesTheRequestIdOfACommandOntoItsOutcomeButNotAnOverlongOne() {
        start(1);
        commands.pipeInput(new TestRecord<>("acc-1", COMMANDS.serialize(Command.open("t-open", "acc-1", "EUR", "10")),
                new RecordHeaders().add(WireHeaders.REQUEST_ID, bytes("req-7")), T0));
        commands.pipeInput(new TestRecord<>("acc-1", COMMANDS.serialize(Command.credit("t-1", "acc-1", "1")),
                new RecordHeaders().add(WireHeaders.REQUEST_ID, new byte[WireHeaders.MAX_REQUEST_ID_BYTES + 1]), T0));
        List<TestRecord<String, Outcome>> outcomes = results.readRecordsToList();
        assertThat(header(outcomes.get(0).headers(), WireHeaders.REQUEST_ID)).isEqualTo("req-7");
        assertThat(outcomes.get(1).headers().lastHeader(WireHeaders.REQUEST_ID)).isNull();
    }

    @Test
    void theFinalOutcomeOfATransferCarriesTheRequestIdOfTheCommandThatStartedIt() {
        start(1);
        send(Command.open("t-a", "acc-a", "EUR", "100"));
        send(Command.open("t-b", "acc-b", "EUR", null));
        results.readValuesToList();
        commands.pipeInput(new TestRecord<>("acc-a", COMMANDS.serialize(Command.transfer("tr-1", "acc-a", "acc-b", "10", null)),
                new RecordHeaders().add(WireHeaders.REQUEST_ID, bytes("req-tr")), T0));
        TestRecord<String, Outcome> outcome = results.readRecord();
        assertThat(outcome.value().transferStatus()).hasToString("COMPLETED");
        assertThat(header(outcome.headers(), WireHeaders.REQUEST_ID)).isEqualTo("req-tr");
    }

    @Test
    void aRetryOfARefusedCommandThatCanBeReadIsAConflictNotAReplay() {
        start(1);
        send(Command.open("t-open", "acc-1", "EUR", "10"));
        results.readValuesToList();
        commands.pipeInput("acc-1", bytes("{\"type\":\"CREDIT\",\"transactionId\":\"t-1\",\"accountId\":\"acc-1\",\"amount\":\"1\",\"currency\":\"eur\"}"));
        assertThat(results.readValue().reason()).isEqualTo(RejectionReason.INVALID_COMMAND);
        send(Command.credit("t-1", "acc-1", "1"));
        assertThat(results.readValue().reason()).isEqualTo(RejectionReason.IDEMPOTENCY_CONFLICT);
    }

    static RecordMetadata metadata(String topic, int partition, long offset) {
        return new RecordMetadata() {
            @Override
            public String topic() {
                return topic;
            }

            @Override
            public int partition() {
                return partition;
            }

            @Override
            public long offset() {
                return offset;
            }
        };
    }
}
