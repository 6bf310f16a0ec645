package dev.bank.bench;

import dev.bank.observability.KafkaSecurity;
import dev.bank.launcher.TopicCreator;
import dev.bank.schemas.Command;
import dev.bank.schemas.Topic;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.TopicSpec;
import dev.bank.schemas.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * The Kafka scenarios: the raw pipe (baseline), the raw pipe through a minimal exactly-once Streams app
 * (streams-floor), commands → outcomes over many accounts (kafka-direct) and on one account (hot-account), and the
 * same two with card-payment holds in the mix (holds-mix, hot-account-holds). The baseline sends the very bytes
 * kafka-direct sends, keyed the same way, into a topic with as many partitions as the commands topic, so the only
 * difference is the processor in between.
 *
 * <p>Nothing is timed cold: the baseline runs after a warm-up pass of the raw pipe, and the first processor
 * scenario of each mix (credits and debits; holds) after {@code BANK_BENCH_WARMUP} untimed commands of that mix
 * through the processor, on accounts and ids of their own (run id + {@code w}), so the JIT has compiled the paths
 * it times and the self-checks see none of it.
 */
final class KafkaScenarios {
    /** The baseline's topic: the commands topic's partitions, records kept an hour. */
    static final String BASELINE_TOPIC = "bank.bench.baseline";
    /** The streams-floor app's input and output topics, made like the baseline's. */
    static final String FLOOR_INPUT = "bank.bench.floor.in";
    static final String FLOOR_OUTPUT = "bank.bench.floor.out";
    /** How long the holds that carry an expiry last: far beyond any run, so none expires while it is timed. */
    static final Duration HOLD_EXPIRY = Duration.ofDays(7);

    private final BenchConfig config;
    private final String runId;
    private final KafkaPipe pipe;
    private final Balances balances;
    private final Topics topics;
    /** The bank's commands and results topics with their serdes (the bench's own topics carry commands too). */
    private final Topic<Command> commands;
    private final Topic<Outcome> results;
    private final Map<String, String> env;
    private final KafkaSecurity security;
    private boolean processorWarm;
    private boolean holdsWarm;

    /** @param env where the bank's processor reads its settings from; the streams-floor app reads them there too */
    KafkaScenarios(BenchConfig config, String runId, Balances balances, Map<String, String> env,
                   KafkaSecurity security) {
        this.config = config;
        this.env = env;
        this.security = security;
        this.runId = runId;
        this.pipe = new KafkaPipe(config.bootstrapServers(), security);
        this.balances = balances;
        this.topics = config.topics();
        this.commands = topics.commandsTopic();
        this.results = topics.resultsTopic();
    }

    ScenarioResult baseline() {
        List<String> failures = new ArrayList<>(benchTopics(BASELINE_TOPIC));
        if (config.warmup() > 0) {
            rawPipe("baseline-warmup", BASELINE_TOPIC, BASELINE_TOPIC, new Workload(runId + "w", Scenario.BASELINE,
                    config.accounts(), config.warmup()));
        }
        KafkaPipe.Run run = rawPipe("baseline", BASELINE_TOPIC, BASELINE_TOPIC,
                new Workload(runId, Scenario.BASELINE, config.accounts(), config.n()));
        failures.addAll(run.failures());
        return result(Scenario.BASELINE, run, failures);
    }

    /**
     * The raw pipe with a minimal exactly-once Streams app in the middle ({@link StreamsFloor}): the same records
     * produced to {@link #FLOOR_INPUT}, read back from {@link #FLOOR_OUTPUT}, after an untimed warm-up through
     * the app. The app runs only for this scenario.
     */
    ScenarioResult streamsFloor() {
        List<String> failures = new ArrayList<>(benchTopics(FLOOR_INPUT, FLOOR_OUTPUT));
        StreamsFloor started;
        try {
            started = StreamsFloor.start(env, config.bootstrapServers(), security, "bank-bench-floor-" + runId, FLOOR_INPUT,
                    FLOOR_OUTPUT, config.scenarioTimeout());
        } catch (RuntimeException e) {
            failures.add("cannot start the streams-floor app: " + e.getMessage());
            return ScenarioResult.setupFailed(Scenario.STREAMS_FLOOR, config.n(), null, null, failures);
        }
        try (StreamsFloor floor = started) {
            if (config.warmup() > 0) {
                KafkaPipe.Run warm = rawPipe("streams-floor-warmup", FLOOR_INPUT, FLOOR_OUTPUT,
                        new Workload(runId + "w", Scenario.STREAMS_FLOOR, config.accounts(), config.warmup()));
                warm.failures().forEach(f -> failures.add("warm-up: " + f));
            }
            if (!failures.isEmpty()) {
                return ScenarioResult.setupFailed(Scenario.STREAMS_FLOOR, config.n(), null, null, failures);
            }
            KafkaPipe.Run run = rawPipe("streams-floor", FLOOR_INPUT, FLOOR_OUTPUT,
                    new Workload(runId, Scenario.STREAMS_FLOOR, config.accounts(), config.n()));
            failures.addAll(run.failures());
            return result(Scenario.STREAMS_FLOOR, run, failures);
        }
    }

    /**
     * Creates the bench's own topics, if missing, like the commands topic: its partitions, the topics'
     * replication, records kept an hour. Returns a failure for each that exists with other partitions.
     */
    private List<String> benchTopics(String... names) {
        int partitions = pipe.partitions(topics.commands());
        TopicCreator.createAll(config.bootstrapServers(), security, Arrays.stream(names).map(name -> new TopicSpec(name,
                        partitions, topics.replicationFactor(),
                        Map.of("retention.ms", String.valueOf(Duration.ofHours(1).toMillis())))).toList(),
                Duration.ofSeconds(60));
        List<String> failures = new ArrayList<>();
        for (String name : names) {
            int actual = pipe.partitions(name);
            if (actual != partitions) {
                failures.add(name + " has " + actual + " partitions, " + topics.commands() + " " + partitions
                        + ": delete it to have it recreated");
            }
        }
        return failures;
    }

    /** The workload's commands as plain records into {@code to}, each matched when it is read from {@code from}. */
    private KafkaPipe.Run rawPipe(String label, String to, String from, Workload w) {
        return pipe.run(label, w.n(),
                i -> new ProducerRecord<>(to, w.accountOf(i), commands.valueSerde().serialize(to, w.command(i))),
                from,
                record -> {
                    Command c = read(commands, record);
                    int i = c == null ? -1 : w.indexOf(c.transactionId());
                    return i < 0 ? KafkaPipe.Match.NOT_OURS : KafkaPipe.Match.ok(i);
                },
                config.scenarioTimeout());
    }

    private ScenarioResult result(Scenario scenario, KafkaPipe.Run run, List<String> failures) {
        return ScenarioResult.of(scenario, config.n(), null, null, run.elapsedNanos(), run.cpuNanos(), run.loadCpuNanos(), run.seen(),
                run.latencies(), run.errors(), failures);
    }

    /**
     * kafka-direct (over {@code BANK_BENCH_ACCOUNTS} accounts) or hot-account (one account); holds-mix and
     * hot-account-holds the same with holds in the mix ({@link HoldMix}).
     */
    ScenarioResult direct(Scenario scenario) {
        int accounts = scenario.hot() ? 1 : config.accounts();
        Workload w = workload(runId, scenario, accounts, config.n());
        List<String> failures = new ArrayList<>(scenario.holds() ? warmUpHolds() : warmUpProcessor());
        failures.addAll(openAccounts(w));
        if (!failures.isEmpty()) return ScenarioResult.setupFailed(scenario, config.n(), null, null, failures);
        KafkaPipe.Run run = sendCommands(scenario.label(), w);
        failures.addAll(run.failures());
        failures.addAll(balances.verify(w.expectedBalances(w.n()), config.scenarioTimeout()));
        return result(scenario, run, failures);
    }

    private static Workload workload(String run, Scenario scenario, int accounts, int n) {
        if (!scenario.holds()) return new Workload(run, scenario, accounts, n);
        String expiresAt = Instant.now().plus(HOLD_EXPIRY).truncatedTo(ChronoUnit.SECONDS).toString();
        return new HoldMix(run, scenario, accounts, n, expiresAt);
    }

    /**
     * Once per run, before the first timed processor scenario without holds: opens kafka-direct-style accounts of
     * the warm-up run id and sends {@code BANK_BENCH_WARMUP} commands to them, untimed, waiting for every outcome.
     * Returns its failures (a processor that cannot get through the warm-up would not get through the scenario).
     */
    List<String> warmUpProcessor() {
        if (processorWarm || config.warmup() == 0) return List.of();
        processorWarm = true;
        return warmUp(Scenario.KAFKA_DIRECT);
    }

    /**
     * Once per run, before the first scenario with holds: the same with holds-mix's commands, so the hold paths are
     * compiled too (its credits and debits warm the rest when no scenario without holds ran before).
     */
    private List<String> warmUpHolds() {
        if (holdsWarm || config.warmup() == 0) return List.of();
        holdsWarm = true;
        return warmUp(Scenario.HOLDS_MIX);
    }

    private List<String> warmUp(Scenario like) {
        Workload w = workload(runId + "w", like, Math.min(config.accounts(), config.warmup()), config.warmup());
        List<String> failures = new ArrayList<>(openAccounts(w));
        if (failures.isEmpty()) {
            failures.addAll(sendCommands(like == Scenario.KAFKA_DIRECT ? "processor-warmup"
                    : "processor-" + like.label() + "-warmup", w).failures());
        }
        return failures.stream().map(f -> "warm-up: " + f).toList();
    }

    /** The workload's commands through the processor: produced to the commands topic, outcomes read back. */
    private KafkaPipe.Run sendCommands(String label, Workload w) {
        return pipe.run(label, w.n(),
                i -> new ProducerRecord<>(topics.commands(), w.accountOf(i),
                        commands.serialize(w.command(i))),
                topics.results(),
                record -> outcomeMatch(record, w::indexOf, w::check),
                config.scenarioTimeout());
    }

    /**
     * Opens the workload's accounts straight through Kafka (untimed set-up) and waits for every opening to be
     * accepted; returns the failures, empty when all are open.
     */
    List<String> openAccounts(Workload w) {
        List<String> ids = w.accountIds();
        KafkaPipe.Run run = pipe.run("open-accounts", ids.size(),
                a -> new ProducerRecord<>(topics.commands(), ids.get(a), commands.serialize(w.open(a))),
                topics.results(),
                record -> outcomeMatch(record, w::openIndexOf, (a, o) -> null),
                config.scenarioTimeout());
        return run.failures().stream().map(f -> "opening accounts: " + f).toList();
    }

    /**
     * Ours when the transactionId is; right when ACCEPTED, not a replay (a replay means an id collided) and as the
     * workload expects it ({@code check}: null, or what is wrong).
     */
    private KafkaPipe.Match outcomeMatch(ConsumerRecord<String, byte[]> record, ToIntFunction<String> indexOf,
                                         OutcomeCheck check) {
        Outcome o = read(results, record);
        int i = o == null ? -1 : indexOf.applyAsInt(o.transactionId());
        if (i < 0) return KafkaPipe.Match.NOT_OURS;
        if (!o.accepted()) return KafkaPipe.Match.bad(i, o.transactionId() + " " + o.status() + " " + o.reason());
        if (o.replayed()) return KafkaPipe.Match.bad(i, o.transactionId() + " answered as a replay");
        String wrong = check.check(i, o);
        return wrong == null ? KafkaPipe.Match.ok(i) : KafkaPipe.Match.bad(i, wrong);
    }

    /** What is wrong with outcome {@code o} of command {@code i}, or null ({@link Workload#check}). */
    private interface OutcomeCheck {
        String check(int i, Outcome o);
    }

    private static <T> T read(Topic<T> topic, ConsumerRecord<String, byte[]> record) {
        try {
            return topic.valueSerde().deserialize(record.topic(), record.value());
        } catch (SerializationException e) {
            return null; // someone else's unreadable record: not ours
        }
    }
}
