package dev.bank.processor.topology;

import dev.bank.processor.config.FraudConfig;
import dev.bank.processor.config.ProcessorConfig;
import dev.bank.schemas.Command;
import dev.bank.schemas.LegType;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.OutcomeStatus;
import dev.bank.schemas.RejectionReason;
import dev.bank.schemas.Topics;
import dev.bank.schemas.TransferLeg;
import dev.bank.schemas.TransferStatus;
import dev.bank.schemas.WireHeaders;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static dev.bank.processor.topology.TopologyTests.COMMANDS;
import static dev.bank.processor.topology.TopologyTests.LEGS;
import static dev.bank.processor.topology.TopologyTests.ONE_PARTITION;
import static dev.bank.processor.topology.TopologyTests.OUTCOMES;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replies under the {@link TopologyTestDriver}, configured as production is (exactly_once_v2): every outcome a
 * gateway may be waiting for reaches the replies topic, next to the results topic, carrying the request id and the
 * partition the command named, written while the same record is processed (so in the task's one transaction); and
 * nothing else does. The driver reports one partition for every topic and keeps no partition in what it captures, so
 * the partition is checked as the record names it and as the sink's partitioner routes that name; a real broker's
 * partitions are RepliesIT's.
 */
class RepliesTopologyTest {
    private static final Instant T0 = Instant.parse("2025-03-03T08:00:00Z");

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> commands;
    private TestOutputTopic<String, Outcome> results;
    private TestOutputTopic<String, Outcome> replies;
    private TestOutputTopic<String, TransferLeg> legs;
    private SimpleMeterRegistry meters;
    private int requests;

    @BeforeEach
    void start() {
        // every rule's thresholds as the bank ships them: a first large transfer to a new payee is held for review
        ProcessorConfig config = ProcessorConfig.fromEnv(ONE_PARTITION).withStateDir(stateDir)
                .withFraud(FraudConfig.defaults());
        Topics topics = config.topics();
        assertThat(topics.replyPartitions()).isEqualTo(Topics.DEFAULT_REPLY_PARTITIONS);
        meters = new SimpleMeterRegistry();
        driver = new TopologyTestDriver(BankTopology.build(config, meters), config.streamsProperties(), T0);
        commands = driver.createInputTopic(topics.commands(), new StringSerializer(), new ByteArraySerializer(),
                T0, Duration.ofMinutes(1));
        results = driver.createOutputTopic(topics.results(), new StringDeserializer(), OUTCOMES.valueSerde());
        replies = driver.createOutputTopic(topics.replies(), new StringDeserializer(),
                topics.repliesTopic().valueSerde());
        legs = driver.createOutputTopic(topics.transferLegs(), new StringDeserializer(), LEGS.valueSerde());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    /** A command as a gateway sends it: a fresh request id and the reply partition it reads. */
    private String request(Command command, int replyPartition) {
        String requestId = "req-" + (++requests);
        commands.pipeInput(new TestRecord<>(command.accountId(), COMMANDS.serialize(command), new RecordHeaders()
                .add(WireHeaders.REQUEST_ID, bytes(requestId))
                .add(WireHeaders.REPLY_PARTITION, WireHeaders.replyPartition(replyPartition))));
        return requestId;
    }

    /** A command as an upstream system sends it, with whatever headers it sets. */
    private void upstream(Command command, Headers headers) {
        commands.pipeInput(new TestRecord<>(command.accountId(), COMMANDS.serialize(command), headers));
    }

    private void drain() {
        results.readRecordsToList();
        replies.readRecordsToList();
        legs.readRecordsToList();
    }

    private double skipped() {
        return meters.find("bank.replies.skipped").counters().stream().mapToDouble(Counter::count).sum();
    }

    @Test
    void repliesAnOutcomeToThePartitionItsCommandNamesAsTheSameRecordAsOnTheResults() {
        String requestId = request(Command.open("t-open", "acc-1", "EUR", "10"), 5);

        // the outcome and its reply came out of processing that one record: one transaction under exactly_once_v2
        List<TestRecord<String, Outcome>> outcome = results.readRecordsToList();
        List<TestRecord<String, Outcome>> reply = replies.readRecordsToList();
        assertThat(outcome).hasSize(1);
        assertThat(reply).hasSize(1);
        TestRecord<String, Outcome> r = reply.get(0);
        assertThat(r.key()).as("keyed by the account, as on the results").isEqualTo("acc-1");
        assertThat(r.value()).isEqualTo(outcome.get(0).value());
        assertThat(r.value().status()).isEqualTo(OutcomeStatus.ACCEPTED);
        assertThat(r.timestamp()).isEqualTo(outcome.get(0).timestamp());
        assertThat(header(r.headers(), WireHeaders.REQUEST_ID)).isEqualTo(requestId);
        assertThat(header(r.headers(), WireHeaders.REPLY_PARTITION)).isEqualTo("5");
        assertThat(r.headers().toArray()).isEqualTo(outcome.get(0).headers().toArray());
        // and the sink sends it to the partition it names
        assertThat(Replies.partitioner().partitions("bank.replies", new Replies.Address("acc-1", 5),
                new byte[0], 16)).isEqualTo(Optional.of(Set.of(5)));
    }

    @Test
    void anUpstreamCommandIsAnsweredOnTheResultsOnly() {
        upstream(Command.open("t-open", "acc-1", "EUR", "10"), new RecordHeaders());
        upstream(Command.credit("t-1", "acc-1", "1"),
                new RecordHeaders().add(WireHeaders.REQUEST_ID, bytes("upstream-7")));
        // a reply partition without a request id: no gateway could match the reply, so none is written
        upstream(Command.credit("t-2", "acc-1", "1"),
                new RecordHeaders().add(WireHeaders.REPLY_PARTITION, WireHeaders.replyPartition(3)));
        assertThat(results.readValuesToList()).extracting(Outcome::status).containsOnly(OutcomeStatus.ACCEPTED)
                .hasSize(3);
        assertThat(replies.isEmpty()).isTrue();
        assertThat(skipped()).as("nothing was wrong with those").isZero();
    }

    @Test
    void theFinalOutcomeOfATransferIsRepliedToThePartitionOfTheCommandThatStartedIt() {
        upstream(Command.open("t-a", "acc-a", "EUR", "100"), new RecordHeaders());
        upstream(Command.open("t-b", "acc-b", "EUR", null), new RecordHeaders());
        drain();

        // a transfer the destination takes: debit, CREDIT leg, COMPLETED leg, final outcome on the source's task
        String completed = request(Command.transfer("tr-1", "acc-a", "acc-b", "10", null), 11);
        // the legs carried the request on to the other account's task and back
        assertThat(legs.readRecordsToList()).allSatisfy(leg -> {
            assertThat(header(leg.headers(), WireHeaders.REQUEST_ID)).isEqualTo(completed);
            assertThat(header(leg.headers(), WireHeaders.REPLY_PARTITION)).isEqualTo("11");
        });
        TestRecord<String, Outcome> reply = replies.readRecord();
        assertThat(reply.value().transferStatus()).isEqualTo(TransferStatus.COMPLETED);
        assertThat(header(reply.headers(), WireHeaders.REQUEST_ID)).isEqualTo(completed);
        assertThat(header(reply.headers(), WireHeaders.REPLY_PARTITION)).isEqualTo("11");
        assertThat(replies.isEmpty()).as("one reply: PENDING is not published").isTrue();

        // a transfer the destination refuses (no such account): the refund's final outcome is replied
        String refunded = request(Command.transfer("tr-2", "acc-a", "nobody", "10", null), 2);
        reply = replies.readRecord();
        assertThat(reply.value().transferStatus()).isEqualTo(TransferStatus.REFUNDED);
        assertThat(reply.value().reason()).isEqualTo(RejectionReason.ACCOUNT_NOT_FOUND);
        assertThat(header(reply.headers(), WireHeaders.REQUEST_ID)).isEqualTo(refunded);
        assertThat(header(reply.headers(), WireHeaders.REPLY_PARTITION)).isEqualTo("2");
        // every final outcome on the results was replied, nothing more
        assertThat(replies.isEmpty()).isTrue();
        assertThat(legs.readRecordsToList()).filteredOn(leg -> leg.value().type() == LegType.REFUND)
                .extracting(leg -> header(leg.headers(), WireHeaders.REQUEST_ID)).containsExactly(refunded);
    }

    @Test
    void retriesConflictsAndRefusalsAreRepliedToTheRequestThatSentThem() {
        upstream(Command.open("t-open", "acc-1", "EUR", "10").by("alice", false), new RecordHeaders());
        request(Command.credit("t-1", "acc-1", "1").by("alice", false), 1);
        drain();
        // the same request again, from another gateway instance: its first outcome, to the retry's partition
        String retry = request(Command.credit("t-1", "acc-1", "1").by("alice", false), 9);
        TestRecord<String, Outcome> r = replies.readRecord();
        assertThat(r.value().replayed()).isTrue();
        assertThat(header(r.headers(), WireHeaders.REQUEST_ID)).isEqualTo(retry);
        assertThat(header(r.headers(), WireHeaders.REPLY_PARTITION)).isEqualTo("9");
        // another request under the same id: a conflict
        request(Command.credit("t-1", "acc-1", "2").by("alice", false), 4);
        assertThat(replies.readRecord().value().reason()).isEqualTo(RejectionReason.IDEMPOTENCY_CONFLICT);
        // someone else's account: refused as not found
        request(Command.credit("t-2", "acc-1", "2").by("mallory", false), 4);
        assertThat(replies.readRecord().value().reason()).isEqualTo(RejectionReason.ACCOUNT_NOT_FOUND);
        // a command that breaks the schema but names its account, transaction and type: refused, to its request
        commands.pipeInput(new TestRecord<>("acc-1", bytes("""
                {"type":"DEBIT","transactionId":"t-x","accountId":"acc-1","amount":"-5"}"""), new RecordHeaders()
                .add(WireHeaders.REQUEST_ID, bytes("req-bad"))
                .add(WireHeaders.REPLY_PARTITION, WireHeaders.replyPartition(15)), T0));
        r = replies.readRecord();
        assertThat(r.value().reason()).isEqualTo(RejectionReason.INVALID_COMMAND);
        assertThat(header(r.headers(), WireHeaders.REPLY_PARTITION)).isEqualTo("15");
        assertThat(replies.isEmpty()).isTrue();
    }

    @Test
    void aPaymentHeldForReviewIsRepliedInReviewAndTheAdminsDecisionToTheAdmin() {
        upstream(Command.open("t-a", "acc-a", "EUR", "30000"), new RecordHeaders());
        upstream(Command.open("t-b", "acc-b", "EUR", null), new RecordHeaders());
        drain();
        // a first transfer of 5000 to a payee: NEW_PAYEE holds it for review
        String payment = request(Command.transfer("pay-1", "acc-a", "acc-b", "5000", null), 3);
        TestRecord<String, Outcome> held = replies.readRecord();
        assertThat(held.value().status()).isEqualTo(OutcomeStatus.IN_REVIEW);
        assertThat(header(held.headers(), WireHeaders.REQUEST_ID)).isEqualTo(payment);

        // When an admin approves it through another gateway instance
        String approval = request(Command.decideReview("ap-1", "acc-a", "pay-1", true).by("admin-1", true), 8);

        // Then the payment is applied and its final outcome is on the results (its request was answered 202 long
        // ago), while the admin's own command is replied to the admin's instance
        List<Outcome> outcomes = results.readValuesToList();
        assertThat(outcomes).extracting(Outcome::transactionId).contains("pay-1", "ap-1");
        List<TestRecord<String, Outcome>> answered = replies.readRecordsToList();
        assertThat(answered).extracting(a -> a.value().transactionId()).containsExactly("ap-1");
        assertThat(header(answered.get(0).headers(), WireHeaders.REQUEST_ID)).isEqualTo(approval);
        assertThat(header(answered.get(0).headers(), WireHeaders.REPLY_PARTITION)).isEqualTo("8");
    }

    @Test
    void aHostileReplyPartitionIsSkippedCountedAndTheOutcomeStillWritten() {
        upstream(Command.open("t-open", "acc-1", "EUR", "10"), new RecordHeaders());
        drain();
        List<Headers> hostile = List.of(
                withRequest().add(WireHeaders.REPLY_PARTITION, bytes("16")),
                withRequest().add(WireHeaders.REPLY_PARTITION, bytes("-1")),
                withRequest().add(WireHeaders.REPLY_PARTITION, bytes("x")),
                withRequest().add(WireHeaders.REPLY_PARTITION, bytes("99999999999999999999999")),
                withRequest().add(WireHeaders.REPLY_PARTITION, new byte[1 << 20]),
                withRequest().add(WireHeaders.REPLY_PARTITION, null),
                withRequest().add(WireHeaders.REPLY_PARTITION, bytes("1"))
                        .add(WireHeaders.REPLY_PARTITION, bytes("2")));
        int n = 0;
        for (Headers headers : hostile) {
            upstream(Command.credit("h-" + (++n), "acc-1", "1"), headers);
        }
        List<TestRecord<String, Outcome>> outcomes = results.readRecordsToList();
        assertThat(outcomes).extracting(o -> o.value().status()).hasSize(hostile.size())
                .containsOnly(OutcomeStatus.ACCEPTED);
        assertThat(outcomes).allSatisfy(o -> assertThat(o.headers().lastHeader(WireHeaders.REPLY_PARTITION))
                .as("the hostile header is not carried on").isNull());
        assertThat(replies.isEmpty()).isTrue();
        assertThat(skipped()).isEqualTo(hostile.size());
        // and the task goes on
        request(Command.credit("after", "acc-1", "1"), 0);
        assertThat(replies.readValue().transactionId()).isEqualTo("after");
    }

    private static Headers withRequest() {
        return new RecordHeaders().add(WireHeaders.REQUEST_ID, bytes("req-h"));
    }

    static String header(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
