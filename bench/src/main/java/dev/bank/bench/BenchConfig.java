package dev.bank.bench;

import dev.bank.schemas.Topics;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The benchmark's whole configuration, from environment variables (defaults in brackets):
 * <ul>
 *   <li>{@code BANK_BENCH_N} [100000]: commands per Kafka scenario (baseline, streams-floor, kafka-direct,
 *       hot-account, holds-mix, hot-account-holds; fraud: per cost run, and about as many of labelled activity);</li>
 *   <li>{@code BANK_BENCH_REST_N} [20000]: requests per REST scenario (rest-sync, rest-balance);</li>
 *   <li>{@code BANK_BENCH_CONCURRENCY} [1000]: REST requests in flight at once (closed loop), or at most
 *       (open loop);</li>
 *   <li>{@code BANK_BENCH_RATE} [0]: REST requests per second offered in all, an open loop; 0 is a closed
 *       loop, {@code BANK_BENCH_CONCURRENCY} always in flight;</li>
 *   <li>{@code BANK_BENCH_ACCOUNTS} [1000]: accounts the uniform scenarios spread over;</li>
 *   <li>{@code BANK_BENCH_SCENARIOS} [all, in the order below]: comma list of {@link Scenario} names;</li>
 *   <li>{@code BANK_BENCH_WARMUP} [20000]: untimed warm-up: records through the raw pipe before the baseline and
 *       through the streams-floor app before it, commands through the processor before the first processor
 *       scenario without holds and again, holds-mix's, before the first with holds, and min(this, REST_N) requests
 *       to each REST endpoint before its scenario; 0 for none;</li>
 *   <li>{@code BANK_BENCH_SUBSCRIBERS} [1000]: live event streams the live-events scenario opens on one gateway
 *       while it runs rest-sync's workload;</li>
 *   <li>{@code BANK_BENCH_FRAUD_ROUNDS} [3]: rounds of the fraud scenario's cost measurement, each kafka-direct's N
 *       commands through the processor with the rules off, on but quiet, and on with the bench's settings;</li>
 *   <li>{@code BANK_BENCH_TIMEOUT} [PT2M]: the most one scenario may take (ISO-8601 duration);</li>
 *   <li>{@code BANK_BENCH_OUTPUT} [bench-results.json]: where the JSON results go;</li>
 *   <li>{@code BANK_BENCH_PROCESSORS} [1]: processor instances the in-process stack runs (one Kafka Streams
 *       application, its partitions shared out); the gateway asks the first, which forwards reads for the
 *       accounts another one owns;</li>
 *   <li>{@code BANK_BENCH_GATEWAYS} [1]: gateway instances the in-process stack runs, each reading its own
 *       partition of the replies topic; the REST scenarios spread their requests over them round-robin;</li>
 *   <li>{@code BANK_BENCH_BOOTSTRAP_SERVERS}: run against this Kafka (with its own processor and gateway)
 *       instead of an in-process stack; then {@code BANK_BENCH_GATEWAY_URL} [http://127.0.0.1:8080] and
 *       {@code BANK_BENCH_PROCESSOR_URL} [http://127.0.0.1:8081] say where they listen.</li>
 * </ul>
 * Topic names come from the same {@code BANK_TOPIC_*} variables the services read.
 *
 * @param bootstrapServers null for the in-process stack (embedded broker, processor and gateway)
 */
public record BenchConfig(int n, int restN, int concurrency, int rate, int accounts, List<Scenario> scenarios,
                          int warmup, Duration scenarioTimeout, Path output, int processors, String bootstrapServers,
                          String gatewayUrl, String processorUrl, Topics topics, int fraudRounds, int subscribers,
                          int gateways) {

    public static final String DEFAULT_OUTPUT = "bench-results.json";

    public BenchConfig {
        positive("BANK_BENCH_N", n);
        positive("BANK_BENCH_REST_N", restN);
        positive("BANK_BENCH_CONCURRENCY", concurrency);
        positive("BANK_BENCH_ACCOUNTS", accounts);
        positive("BANK_BENCH_PROCESSORS", processors);
        positive("BANK_BENCH_FRAUD_ROUNDS", fraudRounds);
        positive("BANK_BENCH_SUBSCRIBERS", subscribers);
        positive("BANK_BENCH_GATEWAYS", gateways);
        if (rate < 0) throw new IllegalArgumentException("BANK_BENCH_RATE must be >= 0 (0: closed loop), was " + rate);
        if (warmup < 0) throw new IllegalArgumentException("BANK_BENCH_WARMUP must be >= 0, was " + warmup);
        if (scenarios.isEmpty()) throw new IllegalArgumentException("BANK_BENCH_SCENARIOS names no scenario");
        if (scenarioTimeout.isNegative() || scenarioTimeout.isZero()) {
            throw new IllegalArgumentException("BANK_BENCH_TIMEOUT must be positive, was " + scenarioTimeout);
        }
        scenarios = List.copyOf(scenarios);
    }

    public static BenchConfig fromEnv(Map<String, String> env) {
        String bootstrap = blankToNull(env.get("BANK_BENCH_BOOTSTRAP_SERVERS"));
        return new BenchConfig(
                integer(env, "BANK_BENCH_N", 100_000),
                integer(env, "BANK_BENCH_REST_N", 20_000),
                integer(env, "BANK_BENCH_CONCURRENCY", 1_000),
                integer(env, "BANK_BENCH_RATE", 0),
                integer(env, "BANK_BENCH_ACCOUNTS", 1_000),
                scenarios(env.get("BANK_BENCH_SCENARIOS")),
                integer(env, "BANK_BENCH_WARMUP", 20_000),
                Duration.parse(env.getOrDefault("BANK_BENCH_TIMEOUT", "PT2M")),
                Path.of(env.getOrDefault("BANK_BENCH_OUTPUT", DEFAULT_OUTPUT)),
                integer(env, "BANK_BENCH_PROCESSORS", 1),
                bootstrap,
                stripSlash(env.getOrDefault("BANK_BENCH_GATEWAY_URL", "http://127.0.0.1:8080")),
                stripSlash(env.getOrDefault("BANK_BENCH_PROCESSOR_URL", "http://127.0.0.1:8081")),
                Topics.fromEnv(env),
                integer(env, "BANK_BENCH_FRAUD_ROUNDS", 3),
                integer(env, "BANK_BENCH_SUBSCRIBERS", 1_000),
                integer(env, "BANK_BENCH_GATEWAYS", 1));
    }

    /** True when the benchmark starts its own broker, processor and gateway (no external Kafka configured). */
    public boolean embedded() {
        return bootstrapServers == null;
    }

    /** True when the REST scenarios run an open loop at {@link #rate()} requests/s. */
    public boolean openLoop() {
        return rate > 0;
    }

    /** How many untimed requests warm a REST endpoint up before its scenario. */
    public int restWarmup() {
        return Math.min(warmup, restN);
    }

    /** The same configuration against a running stack (used once the embedded one has started). */
    public BenchConfig withTarget(String bootstrap, String gateway, String processor) {
        return new BenchConfig(n, restN, concurrency, rate, accounts, scenarios, warmup, scenarioTimeout, output,
                processors, bootstrap, gateway, processor, topics, fraudRounds, subscribers, gateways);
    }

    /**
     * The gateways the REST scenarios spread their requests over, round-robin: {@link #gatewayUrl()} is one URL or a
     * comma list (the in-process bank's {@code BANK_BENCH_GATEWAYS} instances, or an external deployment's).
     */
    public List<String> gatewayUrls() {
        return Arrays.stream(gatewayUrl.split(",")).map(String::trim).filter(u -> !u.isEmpty())
                .map(BenchConfig::stripSlash).toList();
    }

    static List<Scenario> scenarios(String list) {
        if (list == null || list.isBlank()) return List.of(Scenario.values());
        return Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .map(Scenario::byName).distinct().sorted().toList();
    }

    private static int integer(Map<String, String> env, String name, int dflt) {
        String v = env.get(name);
        if (v == null || v.isBlank()) return dflt;
        try {
            return Integer.parseInt(v.trim().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, was '" + v + "'");
        }
    }

    private static void positive(String name, int value) {
        if (value < 1) throw new IllegalArgumentException(name + " must be >= 1, was " + value);
    }

    private static String blankToNull(String v) {
        return v == null || v.isBlank() ? null : v.trim();
    }

    private static String stripSlash(String url) {
        String u = url.trim();
        return u.endsWith("/") ? u.substring(0, u.length() - 1) : u;
    }
}
