package dev.bank.it;

import dev.bank.processor.ProcessorApp;
import dev.bank.schemas.Command;
import dev.bank.schemas.LedgerEntry;
import dev.bank.schemas.Outcome;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static dev.bank.it.KafkaClients.COMMANDS;
import static dev.bank.it.KafkaClients.LEDGER;
import static dev.bank.it.KafkaClients.OUTCOMES;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A processor that stops and starts again, on its own state and on an empty disk, loses nothing and applies
 * nothing twice: every accepted transactionId has exactly one ledger entry, retries across the restart are
 * answered from the remembered outcome, and the balances equal the replay of the ledger.
 */
class ProcessorRestartIT {
    private static final List<String> ACCOUNTS = List.of("r-1", "r-2", "r-3", "r-4");

    @TempDir
    Path firstDisk;
    @TempDir
    Path emptyDisk;

    @Test
    void restartsLoseNothingAndApplyNothingTwice() throws Exception {
        try (TestKafkaCluster kafka = TestKafkaCluster.start(1)) {
            BankStack stack = new BankStack(kafka.bootstrapServers());
            var config = stack.processorConfig(firstDisk);
            List<Command> sent = new ArrayList<>();
            try (var producer = producer(kafka.bootstrapServers())) {
                // Given a first run that opens accounts and posts to them
                try (ProcessorApp first = stack.startProcessor(config)) {
                    ACCOUNTS.forEach(a -> send(producer, stack, sent, Command.open("open-" + a, a, "EUR", "100")));
                    for (int i = 0; i < 20; i++) {
                        String a = ACCOUNTS.get(i % ACCOUNTS.size());
                        send(producer, stack, sent, i % 3 == 0
                                ? Command.debit("p1-" + i, a, "30.10") : Command.credit("p1-" + i, a, "12.34"));
                    }
                    awaitOutcomes(stack, sent.size());
                }
                // When it starts again on the same disk and sees new commands and retries of old ones
                try (ProcessorApp second = stack.startProcessor(config)) {
                    for (int i = 0; i < 5; i++) send(producer, stack, sent, sent.get(4 + i));
                    for (int i = 0; i < 12; i++) {
                        String a = ACCOUNTS.get(i % ACCOUNTS.size());
                        send(producer, stack, sent, Command.credit("p2-" + i, a, "1.01"));
                    }
                    awaitOutcomes(stack, sent.size());
                    assertThat(FailoverIT.metric(second.queryUrl(), "bank_restore_active_records_total"))
                            .as("its stores were kept, not rebuilt").isZero();
                }
                // And once more on an empty disk: the state comes back from the changelog topics
                try (ProcessorApp third = stack.startProcessor(stack.processorConfig(emptyDisk))) {
                    send(producer, stack, sent, sent.get(5));
                    List<Outcome> outcomes = awaitOutcomes(stack, sent.size());

                    // Then every accepted transactionId has exactly one ledger entry
                    List<LedgerEntry> ledger = TopicReader.readUntil(kafka.bootstrapServers(), stack.topics().ledger(),
                                    rs -> rs.size() >= 4 + 20 + 12).stream()
                            .map(r -> LEDGER.deserialize(r.value())).toList();
                    Map<String, Long> entriesPerId = ledger.stream()
                            .collect(Collectors.groupingBy(e -> e.accountId() + "/" + e.transactionId(), Collectors.counting()));
                    assertThat(entriesPerId.values()).allMatch(n -> n == 1L);
                    List<String> acceptedIds = outcomes.stream().filter(Outcome::accepted)
                            .filter(o -> o.amountMinor() != null && o.amountMinor() > 0)
                            .map(o -> o.accountId() + "/" + o.transactionId()).distinct().toList();
                    assertThat(entriesPerId.keySet()).containsExactlyInAnyOrderElementsOf(acceptedIds);

                    // And retries were answered with the first outcome, not applied again
                    Map<String, List<Outcome>> byId = outcomes.stream()
                            .collect(Collectors.groupingBy(o -> o.accountId() + "/" + o.transactionId()));
                    List<Outcome> retried = byId.get(sent.get(5).accountId() + "/" + sent.get(5).transactionId());
                    assertThat(retried).hasSize(3);
                    assertThat(retried.subList(1, 3)).allMatch(Outcome::replayed);
                    assertThat(retried.get(2).balanceMinor()).isEqualTo(retried.get(0).balanceMinor());

                    // And the balances served after the restore equal the replay of the ledger
                    Map<String, Long> replayed = new HashMap<>();
                    ledger.forEach(e -> replayed.merge(e.accountId(), e.type().sign() * e.amountMinor(), Long::sum));
                    Http query = BankStack.query(third.queryUrl());
                    for (String a : ACCOUNTS) {
                        var account = query.get("/internal/accounts/" + a);
                        assertThat(account.status()).isEqualTo(200);
                        assertThat(account.body().get("balanceMinor").asLong()).as(a).isEqualTo(replayed.get(a));
                    }
                }
            }
        }
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new ByteArraySerializer());
    }

    private static void send(KafkaProducer<String, byte[]> producer, BankStack stack, List<Command> sent, Command c) {
        producer.send(new ProducerRecord<>(stack.topics().commands(), c.accountId(), COMMANDS.serialize(c)));
        producer.flush();
        sent.add(c);
    }

    private static List<Outcome> awaitOutcomes(BankStack stack, int expected) {
        List<ConsumerRecord<String, byte[]>> records = TopicReader.readUntil(stack.bootstrapServers(),
                stack.topics().results(), rs -> rs.size() >= expected);
        assertThat(records).as("one outcome per command, none doubled").hasSize(expected);
        return records.stream().map(r -> OUTCOMES.deserialize(r.value()))
                .collect(Collectors.toList());
    }

}
