package dev.bank.processor.topology;

import dev.bank.processor.config.ProcessorConfig;
import dev.bank.schemas.Command;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.OutcomeStatus;
import dev.bank.schemas.Topics;
import dev.bank.schemas.TransferStatus;
import dev.bank.schemas.WireHeaders;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static dev.bank.processor.topology.RepliesTopologyTest.header;
import static dev.bank.processor.topology.TopologyTests.COMMANDS;
import static dev.bank.processor.topology.TopologyTests.OUTCOMES;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Any reply-partition headers on a gateway's command (none, valid, repeated, signed, not numbers, beyond the topic,
 * huge), on a credit or on a transfer whose answer comes back through two legs: the outcome is always written to the
 * results topic; it is replied exactly when there is one header that is a decimal number below the replies topic's
 * partition count, to that partition; a header that is there but not valid is counted once; and the next request is
 * answered (nothing stalls).
 */
class RepliesPropertiesTest {
    private static final Instant T0 = Instant.parse("2025-03-03T08:00:00Z");

    private Path stateDir;
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> commands;
    private TestOutputTopic<String, Outcome> results;
    private TestOutputTopic<String, Outcome> replies;
    private SimpleMeterRegistry meters;
    private int partitions;
    private int sequence;

    @BeforeProperty
    void start() throws IOException {
        stateDir = Files.createTempDirectory("replies-properties");
        // hundreds of payments from one account within a second: the fraud rules would hold them for review
        ProcessorConfig config = ProcessorConfig.fromEnv(java.util.Map.of("BANK_TOPIC_PARTITIONS", "1",
                "BANK_FRAUD_ENABLED", "false")).withStateDir(stateDir);
        Topics topics = config.topics();
        partitions = topics.replyPartitions();
        meters = new SimpleMeterRegistry();
        driver = new TopologyTestDriver(BankTopology.build(config, meters), config.streamsProperties(), T0);
        commands = driver.createInputTopic(topics.commands(), new StringSerializer(), new ByteArraySerializer());
        results = driver.createOutputTopic(topics.results(), new StringDeserializer(), OUTCOMES.valueSerde());
        replies = driver.createOutputTopic(topics.replies(), new StringDeserializer(),
                topics.repliesTopic().valueSerde());
        for (String account : List.of("acc-1", "acc-2")) {
            Command open = Command.open("open-" + account, account, "EUR", "1000000");
            commands.pipeInput(account, COMMANDS.serialize(open));
        }
        results.readValuesToList();
    }

    @AfterProperty
    void stop() throws IOException {
        driver.close();
        try (Stream<Path> files = Files.walk(stateDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Property(tries = 200)
    void anOutcomeIsRepliedExactlyWhenItsCommandNamesOneValidPartition(@ForAll("replyHeaders") List<Header> named,
                                                                      @ForAll boolean transfer) {
        // Given a gateway's command (a request id) with whatever reply-partition headers, among others
        String id = "p-" + sequence++;
        Command command = transfer ? Command.transfer(id, "acc-1", "acc-2", "1", null)
                : Command.credit(id, "acc-1", "1");
        RecordHeaders headers = new RecordHeaders();
        headers.add(WireHeaders.REQUEST_ID, ("req-" + id).getBytes(StandardCharsets.UTF_8));
        named.forEach(headers::add);
        double skippedBefore = skipped();

        // When it is processed
        commands.pipeInput(new TestRecord<>("acc-1", COMMANDS.serialize(command), headers, T0));

        // Then its (final) outcome is on the results topic, as always
        List<TestRecord<String, Outcome>> outcomes = results.readRecordsToList();
        assertThat(outcomes).hasSize(1);
        Outcome outcome = outcomes.get(0).value();
        assertThat(outcome.transactionId()).isEqualTo(id);
        assertThat(outcome.status()).isEqualTo(OutcomeStatus.ACCEPTED);
        if (transfer) assertThat(outcome.transferStatus()).isEqualTo(TransferStatus.COMPLETED);
        // and it is replied exactly when the headers name one valid partition, to that one
        Integer expected = validPartition(named);
        List<TestRecord<String, Outcome>> replied = replies.readRecordsToList();
        if (expected == null) {
            assertThat(replied).isEmpty();
            assertThat(outcomes.get(0).headers().lastHeader(WireHeaders.REPLY_PARTITION)).isNull();
        } else {
            assertThat(replied).hasSize(1);
            assertThat(replied.get(0).value()).isEqualTo(outcome);
            assertThat(header(replied.get(0).headers(), WireHeaders.REQUEST_ID)).isEqualTo("req-" + id);
            assertThat(header(replied.get(0).headers(), WireHeaders.REPLY_PARTITION)).isEqualTo(expected.toString());
        }
        // a header that is there but not valid is counted once, whichever way the answer went
        boolean refused = expected == null && !named.isEmpty();
        assertThat(skipped() - skippedBefore).isEqualTo(refused ? 1.0 : 0.0);

        // and the next request is answered
        String next = "n-" + sequence++;
        commands.pipeInput(new TestRecord<>("acc-2", COMMANDS.serialize(Command.credit(next, "acc-2", "1")),
                new RecordHeaders().add(WireHeaders.REQUEST_ID, next.getBytes(StandardCharsets.UTF_8))
                        .add(WireHeaders.REPLY_PARTITION, WireHeaders.replyPartition(partitions - 1)), T0));
        assertThat(results.readValuesToList()).extracting(Outcome::transactionId).containsExactly(next);
        assertThat(replies.readValuesToList()).extracting(Outcome::transactionId).containsExactly(next);
    }

    /** The oracle: one header whose value is 1 to 10 ASCII digits, as a number below the partition count. */
    private Integer validPartition(List<Header> named) {
        if (named.size() != 1) return null;
        byte[] value = named.get(0).value();
        if (value == null || value.length == 0 || value.length > 10) return null;
        String text = new String(value, StandardCharsets.ISO_8859_1);
        if (!text.chars().allMatch(c -> c >= '0' && c <= '9')) return null;
        BigInteger n = new BigInteger(text);
        return n.compareTo(BigInteger.valueOf(partitions)) < 0 ? n.intValue() : null;
    }

    private double skipped() {
        return meters.find("bank.replies.skipped").counters().stream().mapToDouble(Counter::count).sum();
    }

    /** Zero to three reply-partition headers, each valid or one of the ways a value can be wrong. */
    @Provide
    Arbitrary<List<Header>> replyHeaders() {
        Arbitrary<String> valid = Arbitraries.integers().between(0, 15).map(String::valueOf);
        Arbitrary<String> padded = Arbitraries.integers().between(0, 15).map(n -> "0" + n);
        Arbitrary<String> beyond = Arbitraries.oneOf(Arbitraries.integers().between(16, Integer.MAX_VALUE)
                .map(String::valueOf), Arbitraries.strings().numeric().ofMinLength(10).ofMaxLength(40));
        Arbitrary<String> signed = Arbitraries.integers().between(0, 15).map(n -> (n % 2 == 0 ? "-" : "+") + n);
        Arbitrary<String> spaced = Arbitraries.integers().between(0, 15).map(n -> n % 2 == 0 ? " " + n : n + "\n");
        Arbitrary<String> text = Arbitraries.strings().ofMaxLength(12);
        Arbitrary<byte[]> asBytes = Arbitraries.frequencyOf(List.of(Tuple.of(6, valid), Tuple.of(1, padded),
                        Tuple.of(2, beyond), Tuple.of(1, signed), Tuple.of(1, spaced), Tuple.of(2, text)))
                .map(s -> s.getBytes(StandardCharsets.UTF_8));
        Arbitrary<byte[]> odd = Arbitraries.oneOf(Arbitraries.just((byte[]) null), Arbitraries.just(new byte[0]),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(16),
                Arbitraries.integers().between(11, 200_000).map(n -> {
                    byte[] digits = new byte[n];
                    java.util.Arrays.fill(digits, (byte) '1');
                    return digits;
                }));
        Arbitrary<Header> header = Arbitraries.frequencyOf(List.of(Tuple.of(5, asBytes), Tuple.of(1, odd)))
                .map(v -> new RecordHeader(WireHeaders.REPLY_PARTITION, v));
        return Arbitraries.frequencyOf(List.of(Tuple.of(2, Arbitraries.just(new ArrayList<Header>())),
                Tuple.of(6, header.list().ofSize(1)), Tuple.of(2, header.list().ofMinSize(2).ofMaxSize(3))));
    }
}
