package dev.bank.it;

import dev.bank.processor.ProcessorApp;
import dev.bank.schemas.Command;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.OutcomeStatus;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static dev.bank.it.KafkaClients.COMMANDS;
import static dev.bank.it.KafkaClients.OUTCOMES;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Holds against a real broker across restarts: a hold that expires while the processor is down is released by the
 * processor itself once it is back (its expiry tick, from the wall clock, through the log), exactly once; the state
 * restored on an empty disk from the changelogs knows it, and a hold without an expiry is still there to capture.
 */
class HoldsIT {
    @TempDir
    Path disk;
    @TempDir
    Path emptyDisk;

    @Test
    void aHoldThatExpiredWhileTheProcessorWasDownIsReleasedOnceItIsBack() throws Exception {
        try (TestKafkaCluster kafka = TestKafkaCluster.start(1);
             KafkaProducer<String, byte[]> producer = producer(kafka.bootstrapServers())) {
            BankStack stack = new BankStack(kafka.bootstrapServers());
            var config = stack.processorConfig(disk);
            Instant expiry = Instant.now().plusSeconds(6);
            // Given an account with a hold that expires in a few seconds and one that never does
            try (ProcessorApp first = stack.startProcessor(config)) {
                send(producer, stack, Command.open("open-h", "h-acc", "EUR", "100"));
                send(producer, stack, Command.placeHold("h-exp", "h-acc", "40", expiry.toString(), "hotel"));
                send(producer, stack, Command.placeHold("h-keep", "h-acc", "10", null, null));
                List<Outcome> outcomes = awaitOutcomes(stack, 3);
                assertThat(outcomes).extracting(Outcome::status).containsOnly(OutcomeStatus.ACCEPTED);
                assertThat(BankStack.query(first.queryUrl()).get("/internal/accounts/h-acc").body()
                        .get("heldMinor").asLong()).isEqualTo(50_00);
            }
            // When the processor is down past the expiry
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> Instant.now().isAfter(expiry.plusSeconds(1)));

            // Then, started again, it releases the expired hold by itself, with no command on the account
            try (ProcessorApp second = stack.startProcessor(config)) {
                Http query = BankStack.query(second.queryUrl());
                Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
                    var hold = query.get("/internal/accounts/h-acc/holds/h-exp");
                    return hold.status() == 200 && "EXPIRED".equals(hold.body().get("status").asText());
                });
                var account = query.get("/internal/accounts/h-acc").body();
                assertThat(account.get("heldMinor").asLong()).isEqualTo(10_00);
                assertThat(account.get("balanceMinor").asLong()).isEqualTo(100_00);
                var active = query.get("/internal/accounts/h-acc/holds").body().get("holds");
                assertThat(active).hasSize(1);
                assertThat(active.get(0).get("holdId").asText()).isEqualTo("h-keep");
            }
            // And on an empty disk the restored state knows it; the hold without an expiry is captured
            try (ProcessorApp third = stack.startProcessor(stack.processorConfig(emptyDisk))) {
                Http query = BankStack.query(third.queryUrl());
                Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                        .until(() -> query.get("/internal/accounts/h-acc").status() == 200);
                assertThat(query.get("/internal/accounts/h-acc/holds/h-exp").body().get("status").asText())
                        .isEqualTo("EXPIRED");
                send(producer, stack, Command.captureHold("cap-1", "h-acc", "h-keep", null));
                send(producer, stack, Command.captureHold("cap-2", "h-acc", "h-exp", null));
                List<Outcome> outcomes = awaitOutcomes(stack, 5);
                assertThat(outcomes.get(3).status()).isEqualTo(OutcomeStatus.ACCEPTED);
                assertThat(outcomes.get(3).balanceMinor()).isEqualTo(90_00);
                assertThat(outcomes.get(4).reason()).hasToString("HOLD_NOT_ACTIVE");
                assertThat(query.get("/internal/accounts/h-acc").body().get("heldMinor").asLong()).isZero();
            }
        }
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new ByteArraySerializer());
    }

    private static void send(KafkaProducer<String, byte[]> producer, BankStack stack, Command c) {
        producer.send(new ProducerRecord<>(stack.topics().commands(), c.accountId(), COMMANDS.serialize(c)));
        producer.flush();
    }

    /** Every outcome so far, in order: an expiry answers no one, so there is one per command. */
    private static List<Outcome> awaitOutcomes(BankStack stack, int expected) {
        List<ConsumerRecord<String, byte[]>> records = TopicReader.readUntil(stack.bootstrapServers(),
                stack.topics().results(), rs -> rs.size() >= expected);
        assertThat(records).hasSize(expected);
        return records.stream().map(r -> OUTCOMES.deserialize(r.value())).toList();
    }
}
