package dev.bank.processor.topology;

import dev.bank.processor.config.ProcessorConfig;
import dev.bank.schemas.Command;
import dev.bank.schemas.FraudReview;
import dev.bank.schemas.HistoryEntry;
import dev.bank.schemas.Hold;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.OutcomeStatus;
import dev.bank.schemas.ProcessedCommand;
import dev.bank.schemas.ReviewStatus;
import dev.bank.schemas.Transfer;
import dev.bank.schemas.TransferStatus;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
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
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static dev.bank.processor.topology.TopologyTests.COMMANDS;
import static dev.bank.processor.topology.TopologyTests.OUTCOMES;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Housekeeping under {@link TopologyTestDriver} with the production configuration: what the time index purges (all
 * that is past the retention, nothing under an open transfer, an active hold or a pending review), that a purge in
 * slices resumes where it stopped with commands answered in between, and that stores written before the index (as a
 * new version finds them, restored from the old one's changelogs) are indexed by the one-time walk and then purged on
 * time, never early.
 */
class HousekeepingTopologyTest {
    private static final Instant T0 = Instant.parse("2025-03-03T08:00:00Z");
    private static final Duration RETENTION = Duration.ofDays(1);
    /** Where legs go instead of the transfer-legs topic, so a transfer stays in flight until the test delivers them. */
    private static final String LEG_OUTBOX = "test.legs-outbox";

    @TempDir
    Path stateDir;

    private ProcessorConfig config;
    private SimpleMeterRegistry meters;
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> commands;
    private TestInputTopic<String, byte[]> legs;
    private TestOutputTopic<String, Outcome> results;
    private TestOutputTopic<String, byte[]> outbox;
    private Instant wallClock;

    private void start(Map<String, String> settings) {
        Map<String, String> env = new HashMap<>(TopologyTests.ONE_PARTITION);
        env.put("BANK_IDEMPOTENCY_RETENTION", RETENTION.toString());
        env.put("BANK_HOUSEKEEPING_SLICE_TIME", "PT10S"); // counts, not the machine's speed, bound the slices here
        env.put("BANK_FRAUD_REVIEW_TIMEOUT", "P10D"); // a review outlasts the retention
        env.putAll(settings);
        config = ProcessorConfig.fromEnv(env).withStateDir(stateDir);
        meters = new SimpleMeterRegistry();
        wallClock = T0;
        driver = new TopologyTestDriver(BankTopology.build(config, meters, LEG_OUTBOX), config.streamsProperties(), T0);
        commands = driver.createInputTopic(config.topics().commands(), new StringSerializer(), new ByteArraySerializer());
        legs = driver.createInputTopic(config.topics().transferLegs(), new StringSerializer(),
                new ByteArraySerializer());
        results = driver.createOutputTopic(config.topics().results(), new StringDeserializer(), OUTCOMES.valueSerde());
        outbox = driver.createOutputTopic(LEG_OUTBOX, new StringDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        if (driver != null) driver.close();
    }

    private Outcome send(Command command, Instant at) {
        commands.pipeInput(command.accountId(), COMMANDS.serialize(command), at);
        List<Outcome> outcomes = results.readValuesToList();
        assertThat(outcomes).as(command.type() + " " + command.transactionId()).isNotEmpty();
        return outcomes.get(outcomes.size() - 1);
    }

    /** Sends a command that answers nothing yet (a transfer whose legs are in flight). */
    private void sendPending(Command command, Instant at) {
        commands.pipeInput(command.accountId(), COMMANDS.serialize(command), at);
        assertThat(results.readValuesToList()).isEmpty();
    }

    /** Delivers the legs the topology wrote, as the transfer-legs topic would at {@code at}, until none are left. */
    private void deliverLegs(Instant at) {
        List<TestRecord<String, byte[]>> sent;
        while (!(sent = outbox.readRecordsToList()).isEmpty()) {
            sent.forEach(r -> legs.pipeInput(r.key(), r.value(), at));
        }
    }

    private void wallClockTo(Instant to) {
        driver.advanceWallClockTime(Duration.between(wallClock, to));
        wallClock = to;
    }

    private <V> Map<String, V> entries(String store) {
        KeyValueStore<String, V> s = driver.getKeyValueStore(store);
        Map<String, V> all = new TreeMap<>();
        try (KeyValueIterator<String, V> it = s.all()) {
            it.forEachRemaining(kv -> all.put(kv.key, kv.value));
        }
        return all;
    }

    private static String key(String account, String id) {
        return BankTopology.accountScopedKey(account, id);
    }

    /** The index's entries by kind: store key → time filed under. */
    private Map<TimeIndex.Kind, Map<String, Long>> index() {
        KeyValueStore<Bytes, byte[]> store = driver.getKeyValueStore(BankTopology.HOUSEKEEPING_STORE);
        Map<TimeIndex.Kind, Map<String, Long>> byKind = new TreeMap<>();
        for (KeyValue<Bytes, byte[]> kv : TimeIndex.all(store)) {
            byte code = kv.key.get()[0];
            if (code == 0) continue; // the walks' state
            TimeIndex.Kind kind = TimeIndex.Kind.values()[code - 1];
            byKind.computeIfAbsent(kind, k -> new TreeMap<>()).put(TimeIndex.storeKeyOf(kv.key), TimeIndex.timeOf(kv.key));
        }
        return byKind;
    }

    private String walkState() {
        KeyValueStore<Bytes, byte[]> store = driver.getKeyValueStore(BankTopology.HOUSEKEEPING_STORE);
        byte[] name = Housekeeping.INDEX_WALK.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] k = new byte[name.length + 1];
        System.arraycopy(name, 0, k, 1, name.length);
        byte[] v = store.get(Bytes.wrap(k));
        return v == null ? null : new String(v, java.nio.charset.StandardCharsets.UTF_8);
    }

    private double purgedCount(String kind) {
        var counter = meters.find("bank.housekeeping.purged").tag("kind", kind).counter();
        return counter == null ? 0 : counter.count();
    }

    private static Instant at(Duration after) {
        return T0.plus(after);
    }

    /**
     * acc-a with an open transfer, an active hold and a finished transfer and hold; acc-r with a payment under
     * review, the last of them at T0 + 90 min; then c-late at T0 + 2 h.
     */
    private void givenEveryKindOfEntry() {
        send(Command.open("open-a", "acc-a", "EUR", "1000"), at(Duration.ofMinutes(1)));
        send(Command.open("open-b", "acc-b", "EUR", null), at(Duration.ofMinutes(2)));
        send(Command.open("open-r", "acc-r", "EUR", "30000"), T0);
        // a transfer that completes and one left in flight
        sendPending(Command.transfer("tr-done", "acc-a", "acc-b", "10", null), at(Duration.ofMinutes(4)));
        deliverLegs(at(Duration.ofMinutes(4)));
        results.readValuesToList();
        assertThat(this.<Transfer>entries(BankTopology.TRANSFERS_STORE).get(key("acc-a", "tr-done")).status())
                .isEqualTo(TransferStatus.COMPLETED);
        sendPending(Command.transfer("tr-open", "acc-a", "acc-b", "20", null), at(Duration.ofMinutes(5)));
        // a hold voided and one active
        send(Command.placeHold("h-done", "acc-a", "5", null, null), at(Duration.ofMinutes(6)));
        send(Command.voidHold("v-1", "acc-a", "h-done"), at(Duration.ofMinutes(7)));
        send(Command.placeHold("h-open", "acc-a", "6", null, null), at(Duration.ofMinutes(8)));
        // a payment under review
        assertThat(send(Command.debit("pay-1", "acc-r", "25000"), at(Duration.ofMinutes(90))).status())
                .isEqualTo(OutcomeStatus.IN_REVIEW);
        send(Command.credit("c-late", "acc-a", "1"), at(Duration.ofMinutes(120)));
    }

    @Test
    void purgesWhatIsPastTheRetentionButNothingUnderAnOpenTransferAnActiveHoldOrAPendingReview() {
        start(Map.of());
        givenEveryKindOfEntry();

        // When the wall clock passes the retention of everything but c-late (at T0 + 100 min + the retention)
        wallClockTo(at(RETENTION.plusMinutes(100)));

        // Then what ended is forgotten, what is open is kept
        assertThat(this.<ProcessedCommand>entries(BankTopology.PROCESSED_STORE).keySet()).containsExactlyInAnyOrder(
                key("acc-a", "tr-open"), key("acc-r", "pay-1"), key("acc-a", "c-late"));
        assertThat(this.<Transfer>entries(BankTopology.TRANSFERS_STORE).keySet())
                .containsExactly(key("acc-a", "tr-open"));
        assertThat(this.<Hold>entries(BankTopology.HOLDS_STORE).keySet())
                .containsExactlyInAnyOrder(key("acc-a", "h-open"), key("acc-r", "pay-1"));
        assertThat(this.<FraudReview>entries(BankTopology.FRAUD_REVIEWS_STORE).keySet())
                .containsExactly(key("acc-r", "pay-1"));
        // and a retry within the retention is still answered with the first outcome, one outside it is not
        Outcome retry = send(Command.credit("c-late", "acc-a", "1"), at(RETENTION.plusMinutes(101)));
        assertThat(retry.replayed()).isTrue();
        // and the retry of a payment still under review is still IN_REVIEW, not a second payment
        assertThat(send(Command.debit("pay-1", "acc-r", "25000"), at(RETENTION.plusMinutes(102))).status())
                .isEqualTo(OutcomeStatus.IN_REVIEW);

        // When the transfer completes, the hold is voided and the review approved, a day later
        Instant later = at(RETENTION.plusHours(3));
        wallClockTo(later);
        send(Command.voidHold("v-2", "acc-a", "h-open"), later);
        send(Command.decideReview("ap-1", "acc-r", "pay-1", true).by("admin-1", true), later);
        send(Command.credit("c-kick", "acc-a", "1"), later);
        deliverLegs(later);
        assertThat(this.<Transfer>entries(BankTopology.TRANSFERS_STORE).get(key("acc-a", "tr-open")).status())
                .isEqualTo(TransferStatus.COMPLETED);
        assertThat(this.<FraudReview>entries(BankTopology.FRAUD_REVIEWS_STORE).get(key("acc-r", "pay-1")).status())
                .isEqualTo(ReviewStatus.APPROVED);
        // Then they are kept a whole retention from when they ended
        wallClockTo(later.plus(RETENTION).minusSeconds(60));
        assertThat(this.<Transfer>entries(BankTopology.TRANSFERS_STORE)).containsKey(key("acc-a", "tr-open"));
        assertThat(this.<ProcessedCommand>entries(BankTopology.PROCESSED_STORE)).containsKey(key("acc-r", "pay-1"));
        // and forgotten after it, with nothing left in the index but what is not yet due
        wallClockTo(later.plus(RETENTION).plusSeconds(60));
        assertThat(this.<ProcessedCommand>entries(BankTopology.PROCESSED_STORE)).isEmpty();
        assertThat(this.<Transfer>entries(BankTopology.TRANSFERS_STORE)).isEmpty();
        assertThat(this.<Hold>entries(BankTopology.HOLDS_STORE)).isEmpty();
        assertThat(this.<FraudReview>entries(BankTopology.FRAUD_REVIEWS_STORE)).isEmpty();
        assertThat(index().keySet()).containsOnly(TimeIndex.Kind.HISTORY);
    }

    @Test
    void purgesInSlicesThatResumeWhereTheyStoppedWhileCommandsAreAnswered() {
        start(Map.of("BANK_HOUSEKEEPING_SLICE_ENTRIES", "10"));
        send(Command.open("open", "acc-a", "EUR", "1000"), T0);
        for (int i = 0; i < 34; i++) {
            send(Command.credit(String.format("c-%02d", i), "acc-a", "1"), T0.plusSeconds(60 + i));
        }
        // When the wall clock passes the retention of all 35: the first slice purges the ten oldest
        wallClockTo(at(RETENTION.plusMinutes(5)));
        Map<String, ProcessedCommand> left = entries(BankTopology.PROCESSED_STORE);
        assertThat(left).hasSize(25).doesNotContainKeys(key("acc-a", "open"), key("acc-a", "c-08"))
                .containsKey(key("acc-a", "c-09"));
        assertThat(meters.get("bank.housekeeping.behind.seconds").gauge().value()).isPositive();
        // and a command in between is answered at once
        assertThat(send(Command.credit("between", "acc-a", "1"), wallClock).status()).isEqualTo(OutcomeStatus.ACCEPTED);
        // When the catch-up punctuation comes round, each slice goes on from the oldest left
        wallClockTo(wallClock.plusMillis(100));
        assertThat(this.<ProcessedCommand>entries(BankTopology.PROCESSED_STORE)).hasSize(16)
                .doesNotContainKey(key("acc-a", "c-18")).containsKey(key("acc-a", "c-19"));
        wallClockTo(wallClock.plusMillis(100));
        wallClockTo(wallClock.plusMillis(100));
        // Then all 35 are gone, and the one sent in between stays: it is within its retention
        assertThat(this.<ProcessedCommand>entries(BankTopology.PROCESSED_STORE).keySet())
                .containsExactly(key("acc-a", "between"));
        assertThat(purgedCount("processed")).isEqualTo(35);
        assertThat(meters.get("bank.housekeeping.behind.seconds").gauge().value()).isZero();
        assertThat(meters.get("bank.housekeeping.slice").tag("work", "purge").timer().count()).isEqualTo(4);
    }

    /** Every entry of every store but the index, as the changelogs of a version without it would restore them. */
    private Map<String, List<KeyValue<Object, Object>>> storesWithoutTheIndex() {
        Map<String, List<KeyValue<Object, Object>>> stores = new LinkedHashMap<>();
        for (String name : driver.getAllStateStores().keySet()) {
            if (name.equals(BankTopology.HOUSEKEEPING_STORE)) continue;
            KeyValueStore<Object, Object> store = driver.getKeyValueStore(name);
            List<KeyValue<Object, Object>> entries = new ArrayList<>();
            try (KeyValueIterator<Object, Object> it = store.all()) {
                it.forEachRemaining(entries::add);
            }
            stores.put(name, entries);
        }
        return stores;
    }

    @Test
    void storesWrittenBeforeTheIndexAreIndexedInSlicesThenPurgedOnTimeNeverEarly() {
        // Given stores with every kind of entry, and the index their writes filed
        start(Map.of());
        givenEveryKindOfEntry();
        send(Command.credit("c-2", "acc-b", "2"), at(Duration.ofMinutes(130)));
        Map<TimeIndex.Kind, Map<String, Long>> filedByWrites = index();
        assertThat(filedByWrites.keySet()).contains(TimeIndex.Kind.PROCESSED, TimeIndex.Kind.TRANSFER,
                TimeIndex.Kind.HOLD, TimeIndex.Kind.HISTORY);
        Map<String, List<KeyValue<Object, Object>>> written = storesWithoutTheIndex();
        driver.close();

        // When a version with the index starts on those stores without one (small slices: the walk takes several)
        start(Map.of("BANK_HOUSEKEEPING_SLICE_ENTRIES", "4"));
        written.forEach((name, entries) -> {
            KeyValueStore<Object, Object> store = driver.getKeyValueStore(name);
            entries.forEach(e -> store.put(e.key, e.value));
        });
        assertThat(index()).isEmpty();
        int slices = 0;
        String lastState = null;
        while (!("1\ndone").equals(walkState())) {
            wallClockTo(wallClock.plusMillis(100));
            assertThat(walkState()).as("the walk moves on every slice").isNotEqualTo(lastState);
            lastState = walkState();
            assertThat(++slices).isLessThan(100);
        }
        // Then the walk took many slices, and filed exactly what the writes had filed
        assertThat(slices).isGreaterThan(5);
        assertThat(index()).isEqualTo(filedByWrites);
        // and nothing was purged early
        assertThat(storesWithoutTheIndex()).isEqualTo(written.entrySet().stream().collect(
                java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a,
                        LinkedHashMap::new)));

        // When the retention of everything before c-late has passed
        for (int i = 0; i < 10; i++) wallClockTo(at(RETENTION.plusMinutes(100)).plusMillis(100L * i));
        // Then what ended is forgotten and what is open kept, as if the index had always been there
        assertThat(this.<ProcessedCommand>entries(BankTopology.PROCESSED_STORE).keySet()).containsExactlyInAnyOrder(
                key("acc-a", "tr-open"), key("acc-r", "pay-1"), key("acc-a", "c-late"), key("acc-b", "c-2"));
        assertThat(this.<Transfer>entries(BankTopology.TRANSFERS_STORE).keySet())
                .containsExactly(key("acc-a", "tr-open"));
        assertThat(this.<Hold>entries(BankTopology.HOLDS_STORE).keySet())
                .containsExactlyInAnyOrder(key("acc-a", "h-open"), key("acc-r", "pay-1"));
        assertThat(this.<HistoryEntry>entries(BankTopology.HISTORY_STORE)).isNotEmpty();
    }

    @Test
    void anotherIndexGenerationWalksTheStoresAgain() {
        // Given a task whose walk is done
        start(Map.of());
        send(Command.open("open", "acc-a", "EUR", "1"), T0);
        wallClockTo(T0.plusSeconds(1));
        assertThat(walkState()).isEqualTo("1\ndone");
        Map<String, List<KeyValue<Object, Object>>> written = storesWithoutTheIndex();
        driver.close();
        // When it restarts under generation 2, with an entry the index lacks (written by an older instance)
        start(Map.of("BANK_HOUSEKEEPING_INDEX_GENERATION", "2"));
        written.forEach((name, entries) -> {
            KeyValueStore<Object, Object> store = driver.getKeyValueStore(name);
            entries.forEach(e -> store.put(e.key, e.value));
        });
        wallClockTo(T0.plusSeconds(2));
        // Then the walk runs again and files it
        assertThat(walkState()).isEqualTo("2\ndone");
        assertThat(index().get(TimeIndex.Kind.PROCESSED)).containsOnlyKeys(key("acc-a", "open"));
    }
}
