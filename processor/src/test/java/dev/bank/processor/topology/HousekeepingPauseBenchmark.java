package dev.bank.processor.topology;

import dev.bank.processor.config.ProcessorConfig;
import dev.bank.processor.store.StoreSerdes;
import dev.bank.schemas.Command;
import dev.bank.schemas.CommandType;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.OutcomeStatus;
import dev.bank.schemas.ProcessedCommand;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.internals.WrappedStateStore;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import static dev.bank.processor.topology.TopologyTests.COMMANDS;

/**
 * A measurement, not a test (its name keeps it out of {@code mvn test}; docs/performance.md#housekeeping has the
 * figures): the stream thread's longest pause while a processor store of 10 million remembered transactionIds is
 * purged, with commands flowing, next to the full-scan purge this version replaced, on the same RocksDB store.
 *
 * <pre>
 * ./mvnw -o -pl processor -am test -Dtest=HousekeepingPauseBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dbench.ids=10000000 -Dbench.rate=100
 * </pre>
 * (the report is in {@code processor/target/surefire-reports/dev.bank.processor.topology.HousekeepingPauseBenchmark-output.txt})
 *
 * <p>The store is the real topology's RocksDB store under {@link TopologyTestDriver} (the stream thread is the
 * calling thread), filled in bulk through the RocksDB layer (no changelog: a restored store looks the same),
 * with ids spread evenly over the last 8 days: with the 7-day retention one eighth is due, as after a day of
 * downtime. Commands (credits to 1,000 accounts) arrive at a fixed rate on a schedule; a command's latency is from
 * its scheduled arrival to the end of its processing, so time it spent waiting behind a punctuation counts. The
 * wall clock punctuations run every 100 ms of real time; each one's duration is a stream-thread pause, reported as
 * wall time and as the thread's CPU time (on a loaded machine the wall time of the same work is stretched by
 * however long the thread waits for a core).
 * <ol>
 *   <li><b>Sliced</b>: this version's purge, through the time index, until everything due is gone.</li>
 *   <li><b>Full scan</b> (the baseline): the purge as it was, one punctuation reading the whole store, with the cutoff
 *       moved on by a day so that another eighth is due.</li>
 * </ol>
 */
class HousekeepingPauseBenchmark {
    private static final int IDS = Integer.getInteger("bench.ids", 10_000_000);
    private static final int RATE = Integer.getInteger("bench.rate", 100);
    /** The longest a phase runs: on a loaded machine a sliced purge of 1.25 million takes a while. */
    private static final int MINUTES = Integer.getInteger("bench.minutes", 30);
    private static final int ACCOUNTS = 1_000;
    private static final Duration RETENTION = Duration.ofDays(7);
    private static final Duration TICK = Duration.ofMillis(100);

    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> commands;
    private Instant wallClock;
    private long commandsSent;
    private final Map<String, TestOutputDrain> drains = new HashMap<>();

    /** Reads (and drops) what the driver captured on one topic, so its memory does not grow with the run. */
    private record TestOutputDrain(org.apache.kafka.streams.TestOutputTopic<byte[], byte[]> topic) {}

    @Test
    void measure() throws IOException {
        Path dir = Files.createTempDirectory("housekeeping-bench");
        try {
            run(dir);
        } finally {
            if (driver != null) driver.close();
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private void run(Path dir) {
        Map<String, String> env = new HashMap<>(TopologyTests.ONE_PARTITION);
        env.put("BANK_IDEMPOTENCY_RETENTION", RETENTION.toString());
        ProcessorConfig config = ProcessorConfig.fromEnv(env).withStateDir(dir);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        wallClock = Instant.now();
        driver = new TopologyTestDriver(BankTopology.build(config, meters), config.streamsProperties(), wallClock);
        commands = driver.createInputTopic(config.topics().commands(), new StringSerializer(), new ByteArraySerializer());
        for (int a = 0; a < ACCOUNTS; a++) {
            String id = account(a);
            commands.pipeInput(id, COMMANDS.serialize(Command.open("open-" + id, id, "EUR", "1000")), wallClock);
        }
        // the day's interest tick and the first look at the (small) stores happen now, not in the measurement
        wallClock = wallClock.plus(TICK);
        driver.advanceWallClockTime(TICK);
        drainOutputs();

        long w0 = wallClock.toEpochMilli();
        long span = Duration.ofDays(8).toMillis();
        report("load before filling: %s", load());
        long fillStarted = System.nanoTime();
        fill(w0, span);
        report("filled %,d remembered ids (and their index entries) in %.1f s", IDS,
                (System.nanoTime() - fillStarted) / 1e9);
        long dueA = countBefore(w0, span, w0 - RETENTION.toMillis());

        // 1. this version: slices through the index
        // its first punctuation comes when the housekeeping interval has passed since the warm-up's look
        Result sliced = phase("sliced", meters, dueA, null, config.housekeeping().interval());
        // 2. the baseline: one full scan, with the cutoff a day on
        long cutoffB = w0 + Duration.ofDays(1).toMillis() - RETENTION.toMillis();
        long dueB = countBefore(w0, span, cutoffB) - dueA;
        KeyValueStore<String, ProcessedCommand> processed = driver.getKeyValueStore(BankTopology.PROCESSED_STORE);
        Result scan = phase("full scan", meters, dueB, () -> fullScanPurge(processed, cutoffB), TICK);

        report("");
        report("| purge | ids in store | due | punctuation CPU max | CPU p99 | longest purge slice (wall) | longest punctuation (wall) | wall p99 | punctuations > 50 ms wall | time to purge | commands | latency p50 | p99 | max |");
        report("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        report(sliced.row(IDS));
        report(scan.row(IDS - dueA));
        report("load after: %s", load());
    }

    private static String account(int a) {
        return String.format("acc-%04d", a);
    }

    /** Writes the ids straight into the RocksDB stores, in batches, as a restore from the changelog would. */
    private void fill(long w0, long span) {
        KeyValueStore<Bytes, byte[]> processed = rocksDb(BankTopology.PROCESSED_STORE);
        KeyValueStore<Bytes, byte[]> index = rocksDb(BankTopology.HOUSEKEEPING_STORE);
        Serializer<ProcessedCommand> values = StoreSerdes.processedCommands().serializer();
        List<KeyValue<Bytes, byte[]>> batch = new ArrayList<>();
        List<KeyValue<Bytes, byte[]>> indexBatch = new ArrayList<>();
        for (int i = 0; i < IDS; i++) {
            String accountId = account(i % ACCOUNTS);
            String tx = "tx-" + i;
            long at = timeOf(i, w0, span);
            Outcome outcome = new Outcome(tx, accountId, CommandType.CREDIT, OutcomeStatus.ACCEPTED, null, null, 100L,
                    100_000L + i, "EUR", i, false, at, null, null, null, null);
            String key = BankTopology.accountScopedKey(accountId, tx);
            batch.add(KeyValue.pair(Bytes.wrap(key.getBytes(StandardCharsets.UTF_8)),
                    values.serialize("", new ProcessedCommand(Command.credit(tx, accountId, "1.00"), outcome))));
            indexBatch.add(KeyValue.pair(TimeIndex.key(TimeIndex.Kind.PROCESSED, at, key), new byte[0]));
            if (batch.size() == 10_000) {
                processed.putAll(batch);
                index.putAll(indexBatch);
                batch.clear();
                indexBatch.clear();
            }
        }
        processed.putAll(batch);
        index.putAll(indexBatch);
        // the stores were written before this run: the one-time walk over old entries is done
        index.put(Bytes.wrap(("\u0000" + Housekeeping.INDEX_WALK).getBytes(StandardCharsets.UTF_8)),
                "1\ndone".getBytes(StandardCharsets.UTF_8));
    }

    /** Id i's outcome time: spread evenly over [w0 - span, w0), in an order unrelated to its key. */
    private static long timeOf(int i, long w0, long span) {
        long spread = (i * 2_654_435_761L) % IDS; // a permutation of 0..IDS-1 when IDS is not a multiple of it
        return w0 - span + spread * span / IDS;
    }

    private static long countBefore(long w0, long span, long cutoff) {
        long n = 0;
        for (int i = 0; i < IDS; i++) if (timeOf(i, w0, span) < cutoff) n++;
        return n;
    }

    @SuppressWarnings("unchecked")
    private KeyValueStore<Bytes, byte[]> rocksDb(String name) {
        StateStore store = driver.getKeyValueStore(name);
        while (store instanceof WrappedStateStore<?, ?, ?> wrapped) store = wrapped.wrapped();
        return (KeyValueStore<Bytes, byte[]>) store;
    }

    /** The purge as it was before the index: every value read, the due ones collected, then deleted. */
    private static int fullScanPurge(KeyValueStore<String, ProcessedCommand> store, long cutoff) {
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, ProcessedCommand> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<String, ProcessedCommand> kv = it.next();
                if (kv.value.outcome().timestamp() < cutoff && kv.value.outcome().status() != OutcomeStatus.IN_REVIEW) {
                    keys.add(kv.key);
                }
            }
        }
        keys.forEach(store::delete);
        return keys.size();
    }

    private record Result(String name, long due, long[] pauses, long[] cpu, long[] latencies, double seconds,
                          long longestWork) {
        String row(long storeSize) {
            long over = Arrays.stream(pauses).filter(p -> p > 50_000_000L).count();
            return String.format("| %s | %,d | %,d | %.1f ms | %.1f ms | %.1f ms | %.1f ms | %.1f ms | %d of %d | %.1f s | %,d | %.2f ms | %.1f ms | %.1f ms |",
                    name, storeSize, due, max(cpu) / 1e6, pct(cpu, 0.99) / 1e6, longestWork / 1e6, max(pauses) / 1e6,
                    pct(pauses, 0.99) / 1e6, over,
                    pauses.length, seconds, latencies.length,
                    pct(latencies, 0.50) / 1e6, pct(latencies, 0.99) / 1e6, max(latencies) / 1e6);
        }
    }

    /**
     * Runs the wall-clock punctuations every 100 ms and commands at {@link #RATE} a second until {@code due} ids are
     * purged ({@code oneShot}, when given, is the purge, run at the first punctuation instead of the housekeeping's).
     */
    private Result phase(String name, SimpleMeterRegistry meters, long due, java.util.function.IntSupplier oneShot,
                         Duration firstAdvance) {
        long[] pauses = new long[1 << 16];
        long[] cpu = new long[1 << 16];
        var threads = ManagementFactory.getThreadMXBean();
        long[] latencies = new long[1 << 22];
        int nPauses = 0;
        int nLatencies = 0;
        double purgedBefore = purged(meters);
        long interval = 1_000_000_000L / RATE;
        long start = System.nanoTime();
        long nextTick = start;
        long nextCommand = start;
        long purgedByScan = -1;
        long longestWork = 0;
        long finished = -1;
        int ticks = 0;
        while (true) {
            long now = System.nanoTime();
            if (now >= nextTick) {
                long t0 = System.nanoTime();
                long c0 = threads.getCurrentThreadCpuTime();
                if (oneShot != null && purgedByScan < 0) {
                    purgedByScan = oneShot.getAsInt();
                    longestWork = System.nanoTime() - t0;
                }
                Duration advance = ticks == 0 ? firstAdvance : TICK;
                wallClock = wallClock.plus(advance);
                driver.advanceWallClockTime(advance);
                long pause = System.nanoTime() - t0;
                cpu[nPauses] = threads.getCurrentThreadCpuTime() - c0;
                pauses[nPauses++] = pause;
                if (oneShot == null) longestWork = Math.max(longestWork, sliceMax(meters));
                nextTick = Math.max(nextTick + TICK.toNanos(), System.nanoTime());
                ticks++;
                boolean done = oneShot != null ? purgedByScan >= 0 : purged(meters) - purgedBefore >= due;
                if (done && finished < 0) finished = System.nanoTime();
                if (ticks % 50 == 0) {
                    long d0 = System.nanoTime();
                    drainOutputs();
                    long drained = System.nanoTime() - d0; // not the stream thread's work: the schedule waits for it
                    nextTick += drained;
                    nextCommand += drained;
                }
            }
            while (nextCommand <= System.nanoTime() && nextCommand < nextTick) {
                int a = (int) (commandsSent % ACCOUNTS);
                String id = account(a);
                commands.pipeInput(id, COMMANDS.serialize(Command.credit("live-" + commandsSent++, id, "1")),
                        wallClock);
                if (nLatencies < latencies.length) latencies[nLatencies++] = System.nanoTime() - nextCommand;
                nextCommand += interval;
            }
            // a second of commands after the purge is done, then stop
            if (finished > 0 && System.nanoTime() - finished > 1_000_000_000L) break;
            if (System.nanoTime() - start > Duration.ofMinutes(MINUTES).toNanos()) {
                report("%s: stopped after %d minutes", name, MINUTES);
                break;
            }
            long wait = Math.min(nextTick, nextCommand) - System.nanoTime();
            if (wait > 0) LockSupport.parkNanos(wait);
        }
        double seconds = ((finished > 0 ? finished : System.nanoTime()) - start) / 1e9;
        long purged = oneShot != null ? purgedByScan : (long) (purged(meters) - purgedBefore);
        report("%s: purged %,d of %,d due in %.1f s over %d punctuations", name, purged, due, seconds, nPauses);
        return new Result(name, purged, Arrays.copyOf(pauses, nPauses), Arrays.copyOf(cpu, nPauses),
                Arrays.copyOf(latencies, nLatencies),
                seconds, longestWork);
    }

    /** The longest purge slice the timer has seen lately (its max is over a recent window: read after each tick). */
    private static long sliceMax(SimpleMeterRegistry meters) {
        var t = meters.find("bank.housekeeping.slice").tag("work", "purge").timer();
        return t == null ? 0 : (long) t.max(java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    private static double purged(SimpleMeterRegistry meters) {
        var c = meters.find("bank.housekeeping.purged").tag("kind", "processed").counter();
        return c == null ? 0 : c.count();
    }

    private void drainOutputs() {
        for (String topic : driver.producedTopicNames()) {
            drains.computeIfAbsent(topic, t -> new TestOutputDrain(driver.createOutputTopic(t,
                    new ByteArrayDeserializer(), new ByteArrayDeserializer())));
        }
        for (TestOutputDrain d : drains.values()) {
            while (!d.topic().isEmpty()) d.topic().readRecord();
        }
    }

    private static long max(long[] xs) {
        return Arrays.stream(xs).max().orElse(0);
    }

    private static long pct(long[] xs, double p) {
        if (xs.length == 0) return 0;
        long[] sorted = xs.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private static String load() {
        return String.format("load average %.2f on %d cores",
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                Runtime.getRuntime().availableProcessors());
    }

    private static void report(String format, Object... args) {
        System.out.println(args.length == 0 ? format : String.format(format, args));
    }
}
