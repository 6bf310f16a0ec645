package dev.bank.it;

import dev.bank.processor.ProcessorApp;
import dev.bank.schemas.Json;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.OutcomeStatus;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.bank.it.KafkaClients.OUTCOMES;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An upstream system producing JSON commands straight to the commands topic with a plain Kafka client, as
 * docs/api.md shows: valid commands are applied in order and answered on the results topic, poison records
 * land in the dead-letter topic with their reason, and the pipeline keeps going.
 */
class UpstreamProducerIT {

    @TempDir
    Path stateDir;

    @Test
    void appliesCommandsProducedStraightToKafkaAndDeadLettersPoison() throws Exception {
        try (TestKafkaCluster kafka = TestKafkaCluster.start(1)) {
            BankStack stack = new BankStack(kafka.bootstrapServers());
            try (ProcessorApp processor = stack.startProcessor(stack.processorConfig(stateDir))) {
                // Given an upstream producer with the settings docs/api.md recommends
                Map<String, Object> conf = Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                        ProducerConfig.ACKS_CONFIG, "all");
                String commands = stack.topics().commands();
                try (var producer = new KafkaProducer<>(conf, new StringSerializer(), new StringSerializer())) {
                    // When it sends commands, poison among them
                    producer.send(new ProducerRecord<>(commands, "u-1",
                            "{\"type\":\"OPEN_ACCOUNT\",\"transactionId\":\"u-open\",\"accountId\":\"u-1\",\"currency\":\"USD\",\"amount\":\"100.00\"}"));
                    producer.send(new ProducerRecord<>(commands, "u-1",
                            "{\"type\":\"CREDIT\",\"transactionId\":\"u-c1\",\"accountId\":\"u-1\",\"amount\":\"50\"}"));
                    producer.send(new ProducerRecord<>(commands, "u-1", "{oops, not json"));
                    producer.send(new ProducerRecord<>(commands, "someone-else",
                            "{\"type\":\"DEBIT\",\"transactionId\":\"u-x\",\"accountId\":\"u-1\",\"amount\":\"1\"}"));
                    producer.send(new ProducerRecord<>(commands, "u-1",
                            "{\"type\":\"DEBIT\",\"transactionId\":\"u-d1\",\"accountId\":\"u-1\",\"amount\":\"30.25\",\"currency\":\"USD\"}"));
                    producer.send(new ProducerRecord<>(commands, "u-1",
                            "{\"type\":\"DEBIT\",\"transactionId\":\"u-d2\",\"accountId\":\"u-1\",\"amount\":\"1000\"}"));
                    producer.flush();
                }

                // Then every valid command is answered, in order
                List<Outcome> outcomes = TopicReader.readUntil(kafka.bootstrapServers(), stack.topics().results(),
                                rs -> rs.size() >= 4).stream()
                        .map(r -> OUTCOMES.deserialize(r.value())).toList();
                assertThat(outcomes).extracting(Outcome::transactionId).containsExactly("u-open", "u-c1", "u-d1", "u-d2");
                assertThat(outcomes).extracting(Outcome::status).containsExactly(OutcomeStatus.ACCEPTED,
                        OutcomeStatus.ACCEPTED, OutcomeStatus.ACCEPTED, OutcomeStatus.REJECTED);
                assertThat(outcomes.get(2).balanceMinor()).isEqualTo(11_975L);

                // And the poison is in the dead-letter topic with the original bytes and the reason
                List<ConsumerRecord<String, byte[]>> dead = TopicReader.readUntil(kafka.bootstrapServers(),
                        stack.topics().deadLetter(), rs -> rs.size() >= 2);
                assertThat(dead).hasSize(2);
                // the two sit on different partitions (their keys differ), so their order is not defined
                Map<String, ConsumerRecord<String, byte[]>> byReason = dead.stream()
                        .collect(java.util.stream.Collectors.toMap(r -> header(r, "bank.dlq.reason"), r -> r));
                assertThat(byReason).containsOnlyKeys("UNPARSEABLE", "KEY_MISMATCH");
                assertThat(new String(byReason.get("UNPARSEABLE").value(), StandardCharsets.UTF_8))
                        .isEqualTo("{oops, not json");
                assertThat(byReason.get("KEY_MISMATCH").key()).isEqualTo("someone-else");
                assertThat(header(byReason.get("KEY_MISMATCH"), "bank.dlq.source.topic")).isEqualTo(commands);
                assertThat(header(byReason.get("KEY_MISMATCH"), "bank.dlq.detail")).contains("u-1");

                // And the processor's query API serves the balance
                var account = BankStack.query(processor.queryUrl()).get("/internal/accounts/u-1");
                assertThat(account.status()).isEqualTo(200);
                assertThat(account.body().get("balanceMinor").asLong()).isEqualTo(11_975L);
                assertThat(account.body().get("currency").asText()).isEqualTo("USD");
                assertThat(Json.MAPPER.treeToValue(account.body(), dev.bank.schemas.Account.class).sequence())
                        .isEqualTo(3);
            }
        }
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        var h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
