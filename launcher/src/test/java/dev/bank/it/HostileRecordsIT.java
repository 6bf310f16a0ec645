package dev.bank.it;

import dev.bank.schemas.Command;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.OutcomeStatus;
import dev.bank.schemas.RejectionReason;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static dev.bank.it.KafkaClients.COMMANDS;
import static dev.bank.it.KafkaClients.OUTCOMES;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile records on a real broker, against the real processor and gateway: records at every size boundary up to
 * what the broker takes, commands produced by a librdkafka client (kcat) with its default CRC32 partitioner, so
 * most land on a partition their key does not hash to, commands sent to a wrong partition on purpose, and ambiguous
 * JSON. Meanwhile other accounts keep being served, no stream thread fails, and the processor stays ready.
 */
class HostileRecordsIT {

    @TempDir
    static Path stateDir;
    static BankSystem bank;
    static KafkaProducer<String, byte[]> producer;

    @BeforeAll
    static void start() throws Exception {
        bank = BankSystem.start(stateDir);
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bank.bootstrapServers(),
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.ACKS_CONFIG, "all",
                // larger than the broker takes, so the broker is the one that decides what is too large
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * 1024 * 1024),
                new StringSerializer(), new ByteArraySerializer());
    }

    @AfterAll
    static void stop() throws Exception {
        producer.close();
        bank.close();
    }

    private static String commands() {
        return bank.stack().topics().commands();
    }

    private static RecordMetadata send(ProducerRecord<String, byte[]> record) throws Exception {
        return producer.send(record).get(30, TimeUnit.SECONDS);
    }

    private static RecordMetadata send(Command command) throws Exception {
        return send(new ProducerRecord<>(commands(), command.accountId(), COMMANDS.serialize(command)));
    }

    /** The first outcome of each (account, transaction) asked for, waiting until all are there. */
    private static Map<String, Outcome> outcomes(Set<String> wanted) {
        Map<String, Outcome> first = new HashMap<>();
        TopicReader.readUntil(bank.bootstrapServers(), bank.stack().topics().results(), records -> {
            for (ConsumerRecord<String, byte[]> r : records) {
                Outcome o = OUTCOMES.deserialize(r.value());
                first.putIfAbsent(o.accountId() + "/" + o.transactionId(), o);
            }
            return first.keySet().containsAll(wanted);
        }, Duration.ofSeconds(90));
        return first;
    }

    private static void processorStaysHealthy() {
        Http query = bank.query();
        assertThat(query.get("/health/ready").status()).as("processor ready").isEqualTo(200);
        assertThat(query.raw("/metrics")).as("no stream thread failed")
                .containsPattern("bank_stream_thread_failures_total\\{[^}]*\\} 0\\.0");
    }

    @Test
    void recordsOfEverySizeTheBrokerTakesAreDeadLetteredWhileOtherAccountsAreServed() throws Exception {
        // Given an account that keeps being used
        Set<String> control = new HashSet<>();
        send(Command.open("open-ctl", "size-ctl", "EUR", "1"));
        control.add("size-ctl/open-ctl");
        // When records of every size up to the broker's limit arrive, each followed by a command of that account
        int max = 16_384; // BANK_MAX_COMMAND_BYTES
        int[] sizes = {max - 1, max, max + 1, 512 * 1024 - 100, 512 * 1024, 512 * 1024 + 1, 1_000_000, 1_048_000};
        List<RecordMetadata> hostile = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            byte[] value = new byte[sizes[i]];
            Arrays.fill(value, (byte) 'x');
            hostile.add(send(new ProducerRecord<>(commands(), "size-big", value)));
            send(Command.credit("c-" + i, "size-ctl", "1"));
            control.add("size-ctl/c-" + i);
        }
        // a key of almost a megabyte, and headers of half a megabyte
        ProducerRecord<String, byte[]> bigHeaders = new ProducerRecord<>(commands(), "size-big", new byte[10]);
        bigHeaders.headers().add("h", new byte[600_000]);
        hostile.add(send(bigHeaders));
        hostile.add(send(new ProducerRecord<>(commands(), "k".repeat(1_000_000), new byte[10])));
        send(Command.credit("c-last", "size-ctl", "1"));
        control.add("size-ctl/c-last");

        // Then every command of the other account is applied
        assertThat(outcomes(control).values()).filteredOn(o -> o.accountId().equals("size-ctl"))
                .hasSize(control.size()).allMatch(Outcome::accepted);
        // and every hostile record has one dead letter: a copy while small, a reference (with a prefix) beyond
        Map<String, ConsumerRecord<String, byte[]>> letters = new HashMap<>();
        TopicReader.readUntil(bank.bootstrapServers(), bank.stack().topics().deadLetter(), records -> {
            for (ConsumerRecord<String, byte[]> r : records) letters.put(header(r, "bank.dlq.source.partition") + "@"
                    + header(r, "bank.dlq.source.offset"), r);
            return hostile.stream().allMatch(m -> letters.containsKey(m.partition() + "@" + m.offset()));
        });
        for (int i = 0; i < hostile.size(); i++) {
            RecordMetadata m = hostile.get(i);
            ConsumerRecord<String, byte[]> letter = letters.get(m.partition() + "@" + m.offset());
            boolean small = i < sizes.length && sizes[i] <= 512 * 1024 - 100;
            assertThat(header(letter, "bank.dlq.truncated")).as("record %d", i).isEqualTo(small ? null : "true");
            assertThat(letter.serializedKeySize() + letter.serializedValueSize()).isLessThan(600 * 1024);
        }
        processorStaysHealthy();
    }

    @Test
    void commandsFromALibrdkafkaProducerWithItsDefaultPartitionerReachTheirAccounts() throws Exception {
        // Given an upstream system written against librdkafka (kcat), with its default partitioner
        int partitions = bank.stack().topics().partitions();
        List<String> accounts = new ArrayList<>();
        for (int i = 0; i < 12; i++) accounts.add("kcat-" + i);
        long misplaced = accounts.stream().filter(a -> crc32Partition(a, partitions) != murmur2Partition(a, partitions))
                .count();
        assertThat(misplaced).as("accounts kcat puts on another partition than Java would").isGreaterThan(3);
        StringBuilder lines = new StringBuilder();
        Set<String> wanted = new HashSet<>();
        for (String a : accounts) {
            lines.append(a).append('|').append(json(Command.open("o-" + a, a, "EUR", null))).append('\n');
            lines.append(a).append('|').append(json(Command.credit("c-" + a, a, "5"))).append('\n');
            lines.append(a).append('|').append(json(Command.debit("d-" + a, a, "2"))).append('\n');
            wanted.addAll(List.of(a + "/o-" + a, a + "/c-" + a, a + "/d-" + a));
        }
        // and an ambiguous document: which amount would it be?
        lines.append("kcat-0|{\"type\":\"CREDIT\",\"transactionId\":\"dup\",\"accountId\":\"kcat-0\",")
                .append("\"amount\":\"1\",\"amount\":\"500\"}\n");
        // When it produces them
        kcat(lines.toString());

        // Then every command was applied to its one account, in order
        Map<String, Outcome> first = outcomes(wanted);
        for (String w : wanted) assertThat(first.get(w).status()).as(w).isEqualTo(OutcomeStatus.ACCEPTED);
        for (String a : accounts) {
            assertThat(bank.admin().get("/balance/" + a).text("balance")).as(a).isEqualTo("3.00");
        }
        // and the ambiguous one was refused, not applied
        assertThat(first).doesNotContainKey("kcat-0/dup");
        assertThat(bank.query().raw("/metrics")).containsPattern("bank_commands_rerouted_total\\{[^}]*\\} [1-9]");
        processorStaysHealthy();
    }

    @Test
    void anAccountOpenedThroughAWrongPartitionIsTheOneAccountUnderItsId() throws Exception {
        int partitions = bank.stack().topics().partitions();
        String account = "split-1";
        int wrong = (murmur2Partition(account, partitions) + 1) % partitions;
        // When it is opened through a wrong partition, then (once that is answered: a rerouted record takes a longer
        // way than one on its own partition, so the two have no order) opened again through its own, and credited
        // through a wrong one
        send(new ProducerRecord<>(commands(), wrong, account, COMMANDS.serialize(Command.open("s-open-1", account, "EUR", "10"))));
        outcomes(Set.of(account + "/s-open-1"));
        send(Command.open("s-open-2", account, "EUR", "10"));
        send(new ProducerRecord<>(commands(), wrong, account, COMMANDS.serialize(Command.credit("s-credit", account, "1"))));
        // Then there is one account: the second open is a duplicate, the credit lands on it
        Map<String, Outcome> first = outcomes(Set.of(account + "/s-open-1", account + "/s-open-2", account + "/s-credit"));
        assertThat(first.get(account + "/s-open-1").status()).isEqualTo(OutcomeStatus.ACCEPTED);
        assertThat(first.get(account + "/s-open-2").reason()).isEqualTo(RejectionReason.DUPLICATE_ACCOUNT);
        assertThat(first.get(account + "/s-credit").balanceMinor()).isEqualTo(1_100L);
        assertThat(bank.admin().get("/balance/" + account).text("balance")).isEqualTo("11.00");
    }

    @Test
    void aCommandDatedAheadIsTakenAtTheBrokersTimeAndAForgedInterestTickIsRefused() throws Exception {
        long now = System.currentTimeMillis();
        long tenDaysAhead = now + Duration.ofDays(10).toMillis();
        // When a producer dates a command ten days ahead, and forges an interest tick for that day
        send(new ProducerRecord<>(commands(), null, tenDaysAhead, "ahead-1",
                COMMANDS.serialize(Command.open("ahead-open", "ahead-1", "EUR", "100", "0.5"))));
        ProducerRecord<String, byte[]> tick = new ProducerRecord<>(commands(), null, tenDaysAhead,
                "\u0000interest-tick", "0".getBytes(StandardCharsets.UTF_8));
        tick.headers().add("bank.interest.tick", "2099-01-01".getBytes(StandardCharsets.UTF_8));
        RecordMetadata forged = send(tick);
        // Then the command counts from when the broker took it
        Outcome opened = outcomes(Set.of("ahead-1/ahead-open")).get("ahead-1/ahead-open");
        assertThat(opened.timestamp()).isBetween(now - 60_000, System.currentTimeMillis());
        // and the tick is dead-lettered: no interest is paid ahead
        TopicReader.readUntil(bank.bootstrapServers(), bank.stack().topics().deadLetter(), records -> records.stream()
                .anyMatch(r -> String.valueOf(forged.offset()).equals(header(r, "bank.dlq.source.offset"))
                        && String.valueOf(forged.partition()).equals(header(r, "bank.dlq.source.partition"))));
        assertThat(bank.admin().get("/accounts/ahead-1").text("balance")).isEqualTo("100.00");
    }

    private static String json(Command command) {
        return new String(COMMANDS.serialize(command), StandardCharsets.UTF_8);
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    static int murmur2Partition(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** librdkafka's default partitioner for a keyed record (consistent_random: CRC32 of the key). */
    static int crc32Partition(String key, int partitions) {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(key.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % partitions);
    }

    /** Produces {@code key|value} lines with kcat, librdkafka's command-line client, as it comes (.ci/install-tools). */
    static void kcat(String lines) throws IOException, InterruptedException {
        Process kcat = new ProcessBuilder("kcat", "-P", "-b", bank.bootstrapServers(), "-t", commands(), "-K", "|")
                .redirectErrorStream(true).start();
        try (OutputStream in = kcat.getOutputStream()) {
            in.write(lines.getBytes(StandardCharsets.UTF_8));
        }
        assertThat(kcat.waitFor(60, TimeUnit.SECONDS)).as("kcat finished").isTrue();
        String said = new String(kcat.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(kcat.exitValue()).as("kcat: " + said).isZero();
    }
}
