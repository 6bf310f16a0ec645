package dev.bank.it;

import dev.bank.launcher.EmbeddedBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A restarted broker ends the transactions its coordinator aborted whose markers a partition never got (what a
 * {@code kill -9} of {@code bank local} left behind: docs/operations.md), and leaves those it committed.
 *
 * <p>The lost marker is made for real: a transactional producer ends a transaction in one partition (aborted in one
 * topic, committed in another), the broker stops, and a batch of that same transaction (same producer id and epoch)
 * is written into another partition's log, as if the marker to it had been lost. The restarted broker recovers the
 * log and finds the transaction open there, as it did after the crash.
 */
class HangingTransactionsIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dataDir;

    @Test
    void aRestartedBrokerAbortsWhatItsCoordinatorAbortedAndLeavesWhatItCommitted() throws Exception {
        ProducerState aborted;
        ProducerState committed;
        try (EmbeddedBroker broker = EmbeddedBroker.start(dataDir, 0, 0)) {
            KafkaClients.createTopic(broker.bootstrapServers(), "ledger-like", 2, (short) 1);
            KafkaClients.createTopic(broker.bootstrapServers(), "results-like", 2, (short) 1);
            // Given a transaction the coordinator aborted and one it committed, each having written one partition
            aborted = endTransaction(broker, "aborting", "ledger-like", false);
            committed = endTransaction(broker, "committing", "results-like", true);
        }
        // When the other partition of each holds a batch of that transaction, with no marker
        appendWithoutMarker(dataDir, new TopicPartition("ledger-like", 1), aborted);
        appendWithoutMarker(dataDir, new TopicPartition("results-like", 1), committed);
        Files.deleteIfExists(dataDir.resolve("kafka").resolve(".kafka_cleanshutdown")); // recover it, as after a crash

        // Then the restarted broker has aborted the one the coordinator aborted
        try (EmbeddedBroker broker = EmbeddedBroker.start(dataDir, 0, 0);
             Admin admin = KafkaClients.admin(broker.bootstrapServers())) {
            assertThat(broker.formattedStorage()).isFalse();
            assertThat(openTransaction(admin, new TopicPartition("ledger-like", 1))).as("aborted here too").isFalse();
            assertThat(readCommitted(broker, new TopicPartition("ledger-like", 1)))
                    .as("a read-committed reader passes it and sees none of its records").isEmpty();
            // and left the committed one open: aborting it here would undo part of a committed write
            assertThat(openTransaction(admin, new TopicPartition("results-like", 1))).as("left open").isTrue();
        }
    }

    /** Runs one transaction of {@code transactionalId} writing partition 0 of {@code topic}; its producer as it was. */
    private static ProducerState endTransaction(EmbeddedBroker broker, String transactionalId, String topic,
                                                boolean commit) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId),
                new StringSerializer(), new StringSerializer());
             Admin admin = KafkaClients.admin(broker.bootstrapServers())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, 0, "k", "in the transaction")).get();
            TopicPartition written = new TopicPartition(topic, 0);
            ProducerState during = admin.describeProducers(List.of(written)).partitionResult(written)
                    .get(30, TimeUnit.SECONDS).activeProducers().get(0);
            if (commit) {
                producer.commitTransaction();
            } else {
                producer.abortTransaction();
            }
            // the coordinator answers once it has decided (prepare), and completes once the markers are written
            TransactionState complete = commit ? TransactionState.COMPLETE_COMMIT : TransactionState.COMPLETE_ABORT;
            TransactionDescription ended = await().atMost(TIMEOUT).until(() -> admin.describeTransactions(
                    List.of(transactionalId)).all().get(30, TimeUnit.SECONDS).get(transactionalId),
                    d -> d.state() == complete);
            assertThat(ended.producerEpoch()).as("transaction version 2: the end bumps the epoch")
                    .isEqualTo(during.producerEpoch() + 1);
            return during;
        }
    }

    private static void appendWithoutMarker(Path dataDir, TopicPartition partition, ProducerState producer)
            throws Exception {
        Path segment = dataDir.resolve("kafka").resolve(partition.topic() + "-" + partition.partition())
                .resolve("00000000000000000000.log");
        try (FileRecords log = FileRecords.open(segment.toFile())) {
            assertThat(log.sizeInBytes()).as("an empty partition").isZero();
            log.append(MemoryRecords.withTransactionalRecords(0L, Compression.NONE, producer.producerId(),
                    (short) producer.producerEpoch(), 0, 0,
                    new SimpleRecord("k".getBytes(StandardCharsets.UTF_8),
                            "lost its marker".getBytes(StandardCharsets.UTF_8))));
            log.flush();
        }
    }

    private static boolean openTransaction(Admin admin, TopicPartition partition) throws Exception {
        return admin.describeProducers(List.of(partition)).partitionResult(partition).get(30, TimeUnit.SECONDS)
                .activeProducers().stream().anyMatch(p -> p.currentTransactionStartOffset().isPresent());
    }

    private static List<String> readCommitted(EmbeddedBroker broker, TopicPartition partition) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end; // the high watermark: a read-committed consumer's end offsets stop at the last stable offset
            try (Admin admin = KafkaClients.admin(broker.bootstrapServers())) {
                end = admin.listOffsets(Map.of(partition, OffsetSpec.latest())).partitionResult(partition)
                        .get(30, TimeUnit.SECONDS).offset();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            List<String> values = new ArrayList<>();
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (consumer.position(partition) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
            }
            assertThat(consumer.position(partition)).as("reached the end").isEqualTo(end);
            return values;
        }
    }
}
