package dev.bank.processor.topology;

import dev.bank.processor.config.ProcessorConfig;
import dev.bank.schemas.Command;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.ProcessedCommand;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static dev.bank.processor.topology.TopologyTests.COMMANDS;
import static dev.bank.processor.topology.TopologyTests.OUTCOMES;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Generated histories of remembered transactionIds, wall clocks and slice sizes: whatever they are, the purge
 * deletes exactly the transactionIds whose outcome is older than the retention (however many slices it takes), the
 * index keeps exactly one entry for each one left, and a retry of each one left is answered with its first outcome,
 * not applied again.
 */
class HousekeepingPropertiesTest {
    private static final Instant T0 = Instant.parse("2025-03-03T08:00:00Z");
    private static final Duration RETENTION = Duration.ofDays(1);

    @Property(tries = 10) // each try starts a driver on RocksDB: a few seconds on a loaded machine
    void purgesExactlyWhatIsPastTheRetentionAndRetriesWithinItAreStillAnswered(
            @ForAll @Size(min = 1, max = 40) List<@IntRange(min = 0, max = 4320) Integer> sentAtMinute,
            @ForAll @IntRange(min = 0, max = 5760) int clockAtMinute,
            @ForAll @IntRange(min = 1, max = 50) int sliceEntries) throws IOException {
        Path dir = Files.createTempDirectory("housekeeping-properties");
        Map<String, String> env = new HashMap<>(TopologyTests.ONE_PARTITION);
        env.put("BANK_IDEMPOTENCY_RETENTION", RETENTION.toString());
        env.put("BANK_HOUSEKEEPING_SLICE_ENTRIES", String.valueOf(sliceEntries));
        env.put("BANK_HOUSEKEEPING_SLICE_TIME", "PT10S");
        ProcessorConfig config = ProcessorConfig.fromEnv(env).withStateDir(dir);
        TopologyTestDriver driver = new TopologyTestDriver(BankTopology.build(config, new SimpleMeterRegistry()),
                config.streamsProperties(), T0);
        try {
            TestInputTopic<String, byte[]> commands = driver.createInputTopic(config.topics().commands(),
                    new StringSerializer(), new ByteArraySerializer());
            TestOutputTopic<String, Outcome> results = driver.createOutputTopic(config.topics().results(),
                    new StringDeserializer(), OUTCOMES.valueSerde());
            // Given an account and its credits, each sent half a minute past a whole minute (never on a cutoff)
            Map<String, Instant> sent = new TreeMap<>();
            commands.pipeInput("acc", COMMANDS.serialize(Command.open("open", "acc", "EUR", null)), T0);
            sent.put("open", T0);
            for (int i = 0; i < sentAtMinute.size(); i++) {
                Instant at = T0.plusSeconds(sentAtMinute.get(i) * 60L + 30);
                String id = "c-" + i;
                commands.pipeInput("acc", COMMANDS.serialize(Command.credit(id, "acc", "1")), at);
                sent.put(id, at);
            }
            results.readValuesToList();

            // When the wall clock gets there, and the catch-up punctuation comes round until no slice is left
            Instant now = T0.plus(Duration.ofMinutes(clockAtMinute));
            driver.advanceWallClockTime(Duration.between(T0, now));
            for (int i = 0; i <= sent.size() / sliceEntries + 1; i++) {
                driver.advanceWallClockTime(Duration.ofMillis(100));
            }

            // Then exactly the transactionIds older than the retention are gone
            Instant cutoff = now.minus(RETENTION);
            Map<String, Long> expected = new TreeMap<>();
            sent.forEach((id, at) -> {
                if (!at.isBefore(cutoff)) expected.put(BankTopology.accountScopedKey("acc", id), at.toEpochMilli());
            });
            KeyValueStore<String, ProcessedCommand> processed = driver.getKeyValueStore(BankTopology.PROCESSED_STORE);
            Map<String, Long> left = new TreeMap<>();
            try (KeyValueIterator<String, ProcessedCommand> it = processed.all()) {
                it.forEachRemaining(kv -> left.put(kv.key, kv.value.outcome().timestamp()));
            }
            assertThat(left).isEqualTo(expected);
            // and the index holds exactly one entry for each, under its time
            KeyValueStore<Bytes, byte[]> index = driver.getKeyValueStore(BankTopology.HOUSEKEEPING_STORE);
            Map<String, Long> filed = new TreeMap<>();
            for (KeyValue<Bytes, byte[]> kv : TimeIndex.all(index)) {
                if (kv.key.get()[0] == TimeIndex.Kind.PROCESSED.code) {
                    assertThat(filed.put(TimeIndex.storeKeyOf(kv.key), TimeIndex.timeOf(kv.key))).isNull();
                }
            }
            assertThat(filed).isEqualTo(expected);

            // and a retry of each one left is answered with its first outcome, nothing applied again
            for (String id : sent.keySet()) {
                if (id.equals("open") || !expected.containsKey(BankTopology.accountScopedKey("acc", id))) continue;
                commands.pipeInput("acc", COMMANDS.serialize(Command.credit(id, "acc", "1")), now);
                List<Outcome> answer = results.readValuesToList();
                assertThat(answer).hasSize(1);
                assertThat(answer.get(0).replayed()).as(id).isTrue();
            }
        } finally {
            driver.close();
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
