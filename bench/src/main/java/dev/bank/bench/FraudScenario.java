package dev.bank.bench;

import dev.bank.bench.FraudWorkload.Labelled;
import dev.bank.launcher.LocalBank;
import dev.bank.launcher.TopicCreator;
import dev.bank.observability.InternalApi;
import dev.bank.observability.KafkaSecurity;
import dev.bank.observability.Secret;
import dev.bank.processor.ProcessorApp;
import dev.bank.processor.config.ProcessorConfig;
import dev.bank.schemas.Command;
import dev.bank.schemas.CommandType;
import dev.bank.schemas.FraudAlert;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.OutcomeStatus;
import dev.bank.schemas.RejectionReason;
import dev.bank.schemas.TopicSpec;
import dev.bank.schemas.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.stream.Stream;

/**
 * The {@code fraud} scenario: how well the fraud rules tell fraud from honest customers, and what checking every
 * payment costs, through the real processor over the real broker.
 *
 * <p>It starts three processors of its own in the bench, each a separate Kafka Streams application on topics of its
 * own (named after the run), all from the bench's environment ({@code BANK_*}, as the bank's processor reads it) with
 * only the fraud settings changed, so the three differ in the rules alone:
 * <ul>
 *   <li>{@code off}: {@code BANK_FRAUD_ENABLED=false}, no check and no profile kept: the baseline;</li>
 *   <li>{@code quiet}: the rules on, checking every debit, with {@code BANK_FRAUD_VELOCITY_MAX_COUNT} so high that the
 *       velocity rule, the only one kafka-direct's workload can trigger (its amounts are 1 cent to 1 EUR, it has no
 *       transfers), never does: the cost of checking, with nothing acted on;</li>
 *   <li>{@code defaults}: the rules on with the bench's own fraud settings (the defaults unless {@code BANK_FRAUD_*}
 *       says otherwise): the cost when they act. kafka-direct sends each account many debits a second, so the
 *       velocity rule holds most of its debits for review (a hold each, an alert each).</li>
 * </ul>
 * The commands topics keep the producer's timestamps (the bank's own commands topic is stamped by the broker), so
 * that labelled activity can be sent at its simulated times; every topic keeps its records until the scenario deletes
 * it, as those times are weeks old.
 *
 * <p><b>Quality.</b> {@link FraudWorkload}'s labelled activity, about N commands over six weeks ending at today's
 * midnight (UTC), goes through {@code defaults}; its first outcomes and the alerts topic are scored by
 * {@link FraudScore}. A payment refused for any reason other than fraud, or an outcome missing, fails the scenario.
 *
 * <p><b>Cost.</b> kafka-direct's workload (N commands on {@code BANK_BENCH_ACCOUNTS} fresh accounts) goes through each
 * processor in turn, {@code BANK_BENCH_FRAUD_ROUNDS} rounds, the order rotating each round, after an untimed warm-up
 * of each; each run is timed as kafka-direct is and priced in CPU per command. Comparing runs of the same run of the
 * bench, alternated, keeps the machine's drift out of the difference. With the rules off or quiet every outcome must
 * be ACCEPTED and every balance right; with {@code defaults} a debit may be IN_REVIEW, and the mix is reported.
 *
 * <p>The row of the table is the {@code quiet} runs pooled: kafka-direct's workload with every payment checked, to read
 * against kafka-direct's own row. The figures behind it are printed under the table.
 */
final class FraudScenario {
    private static final Logger log = LoggerFactory.getLogger(FraudScenario.class);
    /** The labelled activity's seed: every run simulates the same customers (on the dates of its own six weeks). */
    static final long SEED = 20250303L;
    /** The {@code quiet} processor's velocity limit: beyond what a profile can count ({@code FraudProfile}). */
    static final String QUIET_VELOCITY_MAX_COUNT = "1000000";

    /** The three processors, by what their rules do. */
    enum Variant {
        OFF("off", "BANK_FRAUD_ENABLED=false"),
        QUIET("quiet", "on, BANK_FRAUD_VELOCITY_MAX_COUNT=" + QUIET_VELOCITY_MAX_COUNT
                + ": every debit checked, none acted on"),
        DEFAULTS("defaults", "on, the bench's BANK_FRAUD_* settings: they act");

        final String label;
        final String rules;

        Variant(String label, String rules) {
            this.label = label;
            this.rules = rules;
        }

        Map<String, String> fraudSettings() {
            return switch (this) {
                case OFF -> Map.of("BANK_FRAUD_ENABLED", "false");
                case QUIET -> Map.of("BANK_FRAUD_ENABLED", "true", "BANK_FRAUD_VELOCITY_MAX_COUNT",
                        QUIET_VELOCITY_MAX_COUNT);
                case DEFAULTS -> Map.of("BANK_FRAUD_ENABLED", "true");
            };
        }
    }

    private final BenchConfig config;
    private final String runId;
    private final Map<String, String> env;
    private final KafkaSecurity security;
    private final KafkaPipe pipe;
    private final RestLoad http;
    /** Operations of the timed runs that did not end as expected (the row's errors). */
    private long errors;

    /** @param env where the processors read their settings from, as the bank's processor does */
    FraudScenario(BenchConfig config, String runId, Map<String, String> env, KafkaSecurity security, RestLoad http) {
        this.config = config;
        this.runId = runId;
        this.env = env;
        this.security = security;
        this.pipe = new KafkaPipe(config.bootstrapServers(), security);
        this.http = http;
    }

    ScenarioResult run() {
        Map<Variant, Processor> processors = new EnumMap<>(Variant.class);
        try {
            try {
                int partitions = pipe.partitions(config.topics().commands());
                // one after the other: three applications starting at once only slow each other's first rebalance
                for (Variant v : Variant.values()) {
                    processors.put(v, Processor.start(v, partitions, this));
                    processors.get(v).awaitRunning(config.scenarioTimeout());
                }
            } catch (RuntimeException e) {
                log.error("fraud: cannot start its processors", e);
                return ScenarioResult.setupFailed(Scenario.FRAUD, config.n(), null, null,
                        List.of("cannot start the fraud scenario's processors: " + e.getMessage()));
            }
            List<String> failures = new ArrayList<>();
            Quality quality = quality(processors.get(Variant.DEFAULTS), failures);
            Map<Variant, List<CostRun>> costs = costs(processors, failures);
            List<CostRun> quiet = costs.get(Variant.QUIET);
            Latencies latencies = new Latencies();
            long elapsed = 0;
            long cpu = 0;
            long loadCpu = 0;
            long seen = 0;
            for (CostRun r : quiet) {
                latencies.add(r.run().latencies());
                elapsed += r.run().elapsedNanos();
                cpu = cpu < 0 || r.run().cpuNanos() < 0 ? -1 : cpu + r.run().cpuNanos();
                loadCpu = loadCpu < 0 || r.run().loadCpuNanos() < 0 ? -1 : loadCpu + r.run().loadCpuNanos();
                seen += r.run().seen();
            }
            int n = quiet.size() * config.n();
            ScenarioResult row = quiet.isEmpty() || quiet.size() < config.fraudRounds()
                    ? ScenarioResult.setupFailed(Scenario.FRAUD, config.n() * config.fraudRounds(), null, null,
                    failures)
                    : ScenarioResult.of(Scenario.FRAUD, n, null, null, elapsed, cpu, loadCpu, seen, latencies,
                    errors, failures);
            return row.withDetails(new Figures(quality, costs, config.n(), config.accounts(), config.fraudRounds()));
        } finally {
            processors.values().forEach(Processor::close);
            deleteTopics();
        }
    }

    // --- quality ---

    /** The labelled activity and what became of it; {@code score} null when it could not be read. */
    record Quality(FraudWorkload workload, LocalDate firstDay, FraudScore score, double throughput) {}

    private Quality quality(Processor defaults, List<String> failures) {
        FraudWorkload.Settings settings = FraudWorkload.Settings.about(SEED, config.n());
        LocalDate firstDay = LocalDate.now(ZoneOffset.UTC).minusDays(settings.days());
        FraudWorkload w = FraudWorkload.generate(settings, firstDay.atStartOfDay(ZoneOffset.UTC).toInstant(),
                "bench-" + runId + "-fraud");
        List<Labelled> commands = w.commands();
        AtomicReferenceArray<Outcome> first = new AtomicReferenceArray<>(commands.size());
        Topics topics = defaults.topics();
        KafkaPipe.Run run = pipe.run("fraud-labelled", commands.size(), i -> {
            Labelled l = commands.get(i);
            return new ProducerRecord<>(topics.commands(), null, l.timestamp(), l.command().accountId(),
                    topics.commandsTopic().serialize(l.command()));
        }, topics.results(), record -> {
            Outcome o = read(topics, record);
            int i = o == null ? -1 : w.indexOf(o.transactionId());
            // a review's final outcome comes later under the same id: the first is the decision
            if (i < 0 || !first.compareAndSet(i, null, o)) return KafkaPipe.Match.NOT_OURS;
            String wrong = unexpected(commands.get(i).command(), o);
            return wrong == null ? KafkaPipe.Match.ok(i) : KafkaPipe.Match.bad(i, wrong);
        }, config.scenarioTimeout());
        failures.addAll(run.failures().stream().map(f -> "labelled activity: " + f).toList());
        errors += run.errors();
        double throughput = commands.size() / (Math.max(run.elapsedNanos(), 1) / 1e9);
        List<FraudAlert> alerts = new ArrayList<>();
        try {
            for (ConsumerRecord<String, byte[]> r : pipe.readAll(topics.fraudAlerts(), config.scenarioTimeout())) {
                FraudAlert a = readAlert(topics, r);
                if (a != null && w.indexOf(a.transactionId()) >= 0) alerts.add(a);
            }
        } catch (RuntimeException e) {
            failures.add("cannot read the fraud alerts: " + e.getMessage());
            return new Quality(w, firstDay, null, throughput);
        }
        List<Outcome> outcomes = new ArrayList<>();
        for (int i = 0; i < commands.size(); i++) if (first.get(i) != null) outcomes.add(first.get(i));
        FraudScore score = FraudScore.of(commands, FraudScore.observe(outcomes, alerts));
        failures.addAll(score.problems().stream().map(p -> "labelled activity: " + p).toList());
        return new Quality(w, firstDay, score, throughput);
    }

    /**
     * What is wrong with a labelled command's first outcome, or null: a payment may be held or declined as fraud, never
     * refused for anything else (its account was funded for it); everything else is accepted.
     */
    private static String unexpected(Command c, Outcome o) {
        boolean payment = c.type() == CommandType.DEBIT || c.type() == CommandType.TRANSFER;
        if (o.status() == OutcomeStatus.ACCEPTED && !o.replayed()) return null;
        if (payment && (o.status() == OutcomeStatus.IN_REVIEW || (o.status() == OutcomeStatus.REJECTED
                && o.reason() == RejectionReason.FRAUD_SUSPECTED))) {
            return null;
        }
        return c.transactionId() + " (" + c.type() + ") " + o.status() + " " + o.reason()
                + (o.replayed() ? " replayed" : "");
    }

    // --- cost ---

    /** One timed run of kafka-direct's workload through one processor, and its outcomes by status. */
    record CostRun(Variant variant, int round, KafkaPipe.Run run, Map<OutcomeStatus, Integer> decisions) {
        double cpuMicrosPerOp() {
            return run.cpuNanos() < 0 || run.seen() == 0 ? Double.NaN : run.cpuNanos() / 1e3 / run.seen();
        }

        double throughput() {
            return run.n() / (Math.max(run.elapsedNanos(), 1) / 1e9);
        }
    }

    private Map<Variant, List<CostRun>> costs(Map<Variant, Processor> processors, List<String> failures) {
        Map<Variant, List<CostRun>> runs = new EnumMap<>(Variant.class);
        for (Variant v : Variant.values()) {
            runs.put(v, new ArrayList<>());
            if (config.warmup() > 0) {
                Workload warm = new Workload(runId + "w" + v.label, Scenario.FRAUD,
                        Math.min(config.accounts(), config.warmup()), config.warmup());
                List<String> wrong = new ArrayList<>(open(processors.get(v), warm));
                if (wrong.isEmpty()) {
                    wrong.addAll(send("fraud-" + v.label + "-warmup", processors.get(v), warm, 0).run().failures());
                }
                failures.addAll(wrong.stream().map(f -> "warm-up " + v.label + ": " + f).toList());
            }
        }
        Variant[] order = Variant.values();
        for (int r = 1; r <= config.fraudRounds(); r++) {
            int round = r;
            for (int k = 0; k < order.length; k++) {
                Variant v = order[(k + round - 1) % order.length]; // each round starts with the next variant
                Processor p = processors.get(v);
                Workload w = new Workload(runId + v.label + round, Scenario.FRAUD, config.accounts(), config.n());
                List<String> opened = open(p, w);
                if (!opened.isEmpty()) {
                    failures.addAll(opened.stream().map(f -> v.label + " round " + round + ": " + f).toList());
                    continue;
                }
                CostRun timed = send("fraud-" + v.label + "-" + round, p, w, round);
                runs.get(v).add(timed);
                errors += timed.run().errors();
                List<String> wrong = new ArrayList<>(timed.run().failures());
                if (v != Variant.DEFAULTS) {
                    // every debit was applied: the balances are kafka-direct's
                    wrong.addAll(new Balances(http, p.app().queryUrl(), p.token())
                            .verify(w.expectedBalances(w.n()), config.scenarioTimeout()));
                }
                failures.addAll(wrong.stream().map(f -> v.label + " round " + round + ": " + f).toList());
                log.info(String.format(Locale.ROOT, "fraud cost %s round %d: %.0f/s, cpu %.0f µs/op, %s", v.label,
                        round, timed.throughput(), timed.cpuMicrosPerOp(), timed.decisions()));
            }
        }
        return runs;
    }

    /** Opens the workload's accounts on {@code p}'s topics, untimed; returns the failures. */
    private List<String> open(Processor p, Workload w) {
        Topics topics = p.topics();
        List<String> ids = w.accountIds();
        KafkaPipe.Run run = pipe.run("fraud-open-accounts", ids.size(),
                a -> new ProducerRecord<>(topics.commands(), ids.get(a), topics.commandsTopic().serialize(w.open(a))),
                topics.results(), record -> {
                    Outcome o = read(topics, record);
                    int a = o == null ? -1 : w.openIndexOf(o.transactionId());
                    if (a < 0) return KafkaPipe.Match.NOT_OURS;
                    return o.accepted() ? KafkaPipe.Match.ok(a)
                            : KafkaPipe.Match.bad(a, o.transactionId() + " " + o.status() + " " + o.reason());
                }, config.scenarioTimeout());
        return run.failures().stream().map(f -> "opening accounts: " + f).toList();
    }

    /**
     * kafka-direct's commands through {@code p}, timed; each must be ACCEPTED, or, with the rules acting
     * ({@code defaults}), held for review or declined.
     */
    private CostRun send(String label, Processor p, Workload w, int round) {
        Topics topics = p.topics();
        Map<OutcomeStatus, Integer> decisions = new ConcurrentHashMap<>();
        boolean acting = p.variant() == Variant.DEFAULTS;
        AtomicReferenceArray<OutcomeStatus> first = new AtomicReferenceArray<>(w.n());
        KafkaPipe.Run run = pipe.run(label, w.n(),
                i -> new ProducerRecord<>(topics.commands(), w.accountOf(i),
                        topics.commandsTopic().serialize(w.command(i))),
                topics.results(), record -> {
                    Outcome o = read(topics, record);
                    int i = o == null ? -1 : w.indexOf(o.transactionId());
                    if (i < 0) return KafkaPipe.Match.NOT_OURS;
                    // a review's end (its deadline is a day away, so not within a run) would come under the same id
                    if (!first.compareAndSet(i, null, o.status()) && first.get(i) == OutcomeStatus.IN_REVIEW) {
                        return KafkaPipe.Match.NOT_OURS;
                    }
                    decisions.merge(o.status(), 1, Integer::sum);
                    boolean flagged = o.status() == OutcomeStatus.IN_REVIEW || (o.status() == OutcomeStatus.REJECTED
                            && o.reason() == RejectionReason.FRAUD_SUSPECTED);
                    boolean right = !o.replayed() && (o.accepted() || (acting && flagged));
                    return right ? KafkaPipe.Match.ok(i)
                            : KafkaPipe.Match.bad(i, o.transactionId() + " " + o.status() + " " + o.reason());
                }, config.scenarioTimeout());
        return new CostRun(p.variant(), round, run, new TreeMap<>(decisions));
    }

    // --- the processors ---

    /** One of the scenario's processors, with its topics, state directory and query credential. */
    private record Processor(Variant variant, Topics topics, ProcessorApp app, Path stateDir, String token) {

        static Processor start(Variant v, int partitions, FraudScenario s) {
            String name = s.topicPrefix() + v.label;
            Map<String, String> own = new HashMap<>(s.env);
            for (String topic : List.of("COMMANDS", "RESULTS", "LEDGER", "TRANSFER_LEGS", "DLQ", "REROUTED", "HOLDS",
                    "FX_RATES", "FRAUD_ALERTS")) {
                own.put("BANK_TOPIC_" + topic, name + "." + topic.toLowerCase(Locale.ROOT).replace('_', '-'));
            }
            own.put("BANK_TOPIC_PARTITIONS", String.valueOf(partitions));
            own.put("BANK_TOPIC_REPLICATION", String.valueOf(s.config.topics().replicationFactor()));
            own.put("BANK_APPLICATION_ID", s.applicationPrefix() + v.label);
            own.put("BANK_QUERY_HOST", "127.0.0.1");
            own.put("BANK_QUERY_BIND_HOST", "127.0.0.1");
            own.put("BANK_QUERY_PORT", String.valueOf(LocalBank.freePort()));
            own.putAll(v.fraudSettings());
            Topics topics = Topics.fromEnv(own);
            TopicCreator.createAll(s.config.bootstrapServers(), s.security, specs(topics), s.config.scenarioTimeout());
            Path dir;
            try {
                dir = Files.createTempDirectory("bank-bench-fraud-" + v.label + "-");
            } catch (IOException e) {
                throw new IllegalStateException("cannot create a state directory", e);
            }
            String token = InternalApi.newServiceToken();
            ProcessorConfig pc = ProcessorConfig.fromEnv(own).withBootstrapServers(s.config.bootstrapServers())
                    .withKafkaSecurity(s.security).withStateDir(dir).withServiceToken(new Secret(token));
            log.info("fraud: starting processor {} ({}) on {}.*", v.label, v.rules, name);
            return new Processor(v, topics, ProcessorApp.start(pc), dir, token);
        }

        /**
         * The bank's topics under this processor's names: the commands topic keeps the producer's timestamps (the
         * simulated times of the labelled activity), and nothing is deleted for age, as those times are weeks old.
         */
        static List<TopicSpec> specs(Topics topics) {
            return topics.specs().stream().map(spec -> {
                Map<String, String> configs = new HashMap<>(spec.configs());
                configs.remove("message.timestamp.type");
                configs.put("retention.ms", "-1");
                return new TopicSpec(spec.name(), spec.partitions(), spec.replicationFactor(), configs);
            }).toList();
        }

        void awaitRunning(Duration timeout) {
            try {
                if (!app.awaitRunning(timeout)) {
                    throw new IllegalStateException("processor " + variant.label + " not RUNNING after " + timeout
                            + " (" + app.state() + ")");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }

        void close() {
            try {
                app.close();
            } catch (RuntimeException e) {
                log.warn("fraud: closing processor {} failed", variant.label, e);
            }
            try (Stream<Path> files = Files.walk(stateDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                log.warn("cannot delete {}: {}", stateDir, e.toString());
            }
        }
    }

    /** {@code bank.bench.fraud.<run>.}: the start of every topic name of this run's processors. */
    private String topicPrefix() {
        return "bank.bench.fraud." + runId + ".";
    }

    /** {@code bank-bench-fraud-<run>-}: the start of their application ids, so of their internal topics' names. */
    private String applicationPrefix() {
        return "bank-bench-fraud-" + runId + "-";
    }

    /** Deletes the processors' topics and their Streams-made internal topics (changelogs): this run's only. */
    private void deleteTopics() {
        try (Admin admin = Admin.create(security.withClientProperties(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers())))) {
            List<String> ours = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                    .filter(t -> t.startsWith(topicPrefix()) || t.startsWith(applicationPrefix())).toList();
            if (!ours.isEmpty()) admin.deleteTopics(ours).all().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            log.warn("fraud: cannot delete the scenario's topics: {}", e.toString());
        }
    }

    private static Outcome read(Topics topics, ConsumerRecord<String, byte[]> record) {
        try {
            return topics.resultsTopic().valueSerde().deserialize(record.topic(), record.value());
        } catch (SerializationException e) {
            return null;
        }
    }

    private static FraudAlert readAlert(Topics topics, ConsumerRecord<String, byte[]> record) {
        try {
            return topics.fraudAlertsTopic().valueSerde().deserialize(record.topic(), record.value());
        } catch (SerializationException e) {
            return null;
        }
    }

    // --- what is printed and kept ---

    /** The quality table and the cost comparison, under the bench's table and in its JSON. */
    record Figures(Quality quality, Map<Variant, List<CostRun>> costs, int n, int accounts, int rounds)
            implements ScenarioDetails {

        @Override
        public List<String> lines() {
            List<String> out = new ArrayList<>();
            FraudWorkload w = quality.workload();
            FraudWorkload.Settings s = w.settings();
            out.add(String.format(Locale.ROOT, "quality: labelled activity through the processor with the bench's"
                            + " fraud settings: seed %d, %d customers, %d days from %s (%d of history, not scored),"
                            + " %d incidents of each pattern; %d commands at their simulated times, %.0f/s",
                    s.seed(), s.customers(), s.days(), quality.firstDay(), s.historyDays(), s.incidentsPerPattern(),
                    w.commands().size(), quality.throughput()));
            if (quality.score() == null) {
                out.add("  (no score: the alerts could not be read)");
            } else {
                quality.score().lines().forEach(l -> out.add("  " + l));
            }
            out.add(String.format(Locale.ROOT, "cost: kafka-direct's workload, N = %d commands on %d accounts, through"
                    + " three processors of this run, %d rounds alternated (cpu µs/op: the whole bench process)", n,
                    accounts, rounds));
            out.add(String.format(Locale.ROOT, "  %-9s %-13s %-13s %-22s %s", "rules", "cpu µs/op", "throughput/s",
                    "per round (µs/op)", "outcomes"));
            Stats off = stats(Variant.OFF);
            for (Variant v : Variant.values()) {
                Stats st = stats(v);
                String vsOff = v == Variant.OFF || off.runs().isEmpty() ? ""
                        : String.format(Locale.ROOT, "  vs off: cpu %s, throughput %s", signedPercent(
                                st.cpuVsOff(off)), times(st.throughputVsOff(off)));
                out.add(String.format(Locale.ROOT, "  %-9s %-13s %-13s %-22s %s%s", v.label,
                        number(st.medianCpu()), number(st.medianThroughput()), st.perRound(), st.decisions(), vsOff));
            }
            for (Variant v : Variant.values()) out.add("  " + v.label + ": " + v.rules);
            out.add("  (medians over the rounds; vs off: the median of each round's ratio to that round's off run)");
            return out;
        }

        @Override
        public Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            FraudWorkload.Settings s = quality.workload().settings();
            Map<String, Object> q = new LinkedHashMap<>();
            q.put("seed", s.seed());
            q.put("customers", s.customers());
            q.put("days", s.days());
            q.put("historyDays", s.historyDays());
            q.put("incidentsPerPattern", s.incidentsPerPattern());
            q.put("firstDay", quality.firstDay().toString());
            q.put("commands", quality.workload().commands().size());
            q.put("throughputPerSec", Math.round(quality.throughput()));
            q.put("score", quality.score() == null ? null : quality.score().json());
            m.put("quality", q);
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("n", n);
            c.put("accounts", accounts);
            c.put("rounds", rounds);
            Stats off = stats(Variant.OFF);
            for (Variant v : Variant.values()) {
                Stats st = stats(v);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("rules", v.rules);
                row.put("medianCpuMicrosPerOp", rounded(st.medianCpu()));
                row.put("medianThroughputPerSec", rounded(st.medianThroughput()));
                if (v != Variant.OFF) {
                    row.put("cpuVsOff", rounded(st.cpuVsOff(off)));
                    row.put("throughputVsOff", rounded(st.throughputVsOff(off)));
                }
                List<Map<String, Object>> perRound = new ArrayList<>();
                for (CostRun r : st.runs()) {
                    Map<String, Object> one = new LinkedHashMap<>();
                    one.put("round", r.round());
                    one.put("cpuMicrosPerOp", rounded(r.cpuMicrosPerOp()));
                    one.put("throughputPerSec", rounded(r.throughput()));
                    one.put("p99Ms", rounded(r.run().latencies().percentileMs(99)));
                    Map<String, Object> decided = new LinkedHashMap<>();
                    r.decisions().forEach((k, val) -> decided.put(k.name(), val));
                    one.put("outcomes", decided);
                    perRound.add(one);
                }
                row.put("runs", perRound);
                c.put(v.label, row);
            }
            m.put("cost", c);
            return m;
        }

        private Stats stats(Variant v) {
            return new Stats(costs.getOrDefault(v, List.of()));
        }
    }

    /** One variant's runs, summed up. */
    private record Stats(List<CostRun> runs) {
        double medianCpu() {
            return median(runs.stream().mapToDouble(CostRun::cpuMicrosPerOp).toArray());
        }

        double medianThroughput() {
            return median(runs.stream().mapToDouble(CostRun::throughput).toArray());
        }

        /** The median over the rounds of this variant's CPU per command relative to the same round's off run, - 1. */
        double cpuVsOff(Stats off) {
            return median(pairs(off, true)) - 1;
        }

        double throughputVsOff(Stats off) {
            return median(pairs(off, false));
        }

        private double[] pairs(Stats off, boolean cpu) {
            List<Double> ratios = new ArrayList<>();
            for (CostRun r : runs) {
                for (CostRun o : off.runs()) {
                    if (o.round() != r.round()) continue;
                    ratios.add(cpu ? r.cpuMicrosPerOp() / o.cpuMicrosPerOp() : r.throughput() / o.throughput());
                }
            }
            return ratios.stream().mapToDouble(Double::doubleValue).toArray();
        }

        String perRound() {
            return String.join(" ", runs.stream().map(r -> number(r.cpuMicrosPerOp())).toList());
        }

        /** The outcomes of all its runs by status, with their shares. */
        String decisions() {
            Map<OutcomeStatus, Integer> total = new TreeMap<>();
            runs.forEach(r -> r.decisions().forEach((k, v) -> total.merge(k, v, Integer::sum)));
            int all = total.values().stream().mapToInt(Integer::intValue).sum();
            List<String> parts = new ArrayList<>();
            total.forEach((k, v) -> parts.add(String.format(Locale.ROOT, "%s %.0f%%", k, 100.0 * v / all)));
            return parts.isEmpty() ? "-" : String.join(", ", parts);
        }
    }

    private static double median(double[] values) {
        double[] v = java.util.Arrays.stream(values).filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (v.length == 0) return Double.NaN;
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static String number(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.0f", v);
    }

    private static String signedPercent(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%+.1f%%", 100 * v);
    }

    private static String times(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "×%.2f", v);
    }

    private static Double rounded(double v) {
        return Double.isNaN(v) ? null : Math.round(v * 1000) / 1000.0;
    }
}
