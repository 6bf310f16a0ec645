package dev.bank.bench;

import dev.bank.observability.InternalApi;
import dev.bank.observability.KafkaSecurity;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./bank bench}: measures the bank against the raw Kafka pipe it is built on. Runs the configured
 * {@link Scenario}s in order against an in-process stack (or an external one, see {@link BenchConfig}), logs
 * one line per scenario, prints a table and writes the same numbers as JSON. Every scenario checks its own
 * results (each outcome present once and accepted, answers and balances exactly as expected), so a fast
 * wrong run fails instead of looking good: the exit status is 1 when any check failed.
 *
 * <p>A benchmark, not a test: {@code BenchSmokeIT} runs it with a tiny N in {@code ./mvnw verify} so it
 * keeps working, but no number is asserted.
 */
public final class Bench {
    private static final Logger log = LoggerFactory.getLogger(Bench.class);

    private Bench() {
    }

    public static void main(String[] args) {
        quietPerRequestLogs();
        int status;
        try {
            BenchConfig config = BenchConfig.fromEnv(System.getenv());
            Report report = run(config, System.getenv());
            report.print(System.out);
            report.write(config.output());
            System.out.println("results written to " + config.output().toAbsolutePath());
            status = report.passed() ? 0 : 1;
        } catch (RuntimeException e) {
            log.error("bench failed: {}", e.toString(), e);
            status = 2;
        }
        System.exit(status);
    }

    /** Runs every configured scenario and returns the results (it neither prints nor writes them). */
    public static Report run(BenchConfig config, Map<String, String> env) {
        String runId = HexFormat.of().formatHex(new SecureRandom().generateSeed(4));
        Instant startedAt = Instant.now();
        log.info("bench run {}: scenarios {}, N={}, REST N={} at concurrency {} ({}), {} accounts, warm-up {}, "
                + "against {}", runId, config.scenarios().stream().map(Scenario::label).toList(), config.n(),
                config.restN(), config.concurrency(),
                config.openLoop() ? "open loop, " + config.rate() + " requests/s" : "closed loop",
                config.accounts(), config.warmup(),
                config.embedded() ? "an in-process bank" : config.bootstrapServers());
        EmbeddedStack stack = config.embedded() ? EmbeddedStack.start(config, env) : null;
        try (RestLoad http = new RestLoad(Math.max(config.concurrency(), Balances.CONCURRENCY))) {
            BenchConfig target = stack == null ? config
                    : config.withTarget(stack.bootstrapServers(), stack.gatewayUrl(), stack.processorUrl());
            String serviceToken = stack != null ? stack.serviceToken() : InternalApi.serviceToken(env);
            String token = stack != null ? stack.token() : env.get("BANK_BENCH_TOKEN");
            if (token == null) {
                throw new IllegalArgumentException("BANK_BENCH_TOKEN: a bearer token for the principal 'bench' "
                        + "(scopes bank:read bank:write), which owns the accounts the bench opens");
            }
            Balances balances = new Balances(http, target.processorUrl(), serviceToken);
            // the in-process broker is PLAINTEXT on loopback; an external one is reached as BANK_KAFKA_* says
            // (on a secured cluster: a super user, since the bench creates topics and a Streams app of its own)
            KafkaSecurity security = stack == null ? KafkaSecurity.fromEnv(env) : KafkaSecurity.PLAINTEXT;
            KafkaScenarios kafka = new KafkaScenarios(target, runId, balances, env, security);
            RestScenarios rest = new RestScenarios(target, runId, kafka, http, balances, token);
            AuthScenarios auth = new AuthScenarios(target);
            List<ScenarioResult> results = new ArrayList<>();
            ScenarioResult baseline = null;
            for (Scenario scenario : target.scenarios()) {
                ScenarioResult r = switch (scenario) {
                    case BASELINE -> kafka.baseline();
                    case STREAMS_FLOOR -> kafka.streamsFloor();
                    case KAFKA_DIRECT, HOT_ACCOUNT, HOLDS_MIX, HOT_ACCOUNT_HOLDS -> kafka.direct(scenario);
                    case FRAUD -> new FraudScenario(target, runId, env, security, http).run();
                    case REST_SYNC -> rest.sync();
                    case REST_BALANCE -> rest.balance();
                    case LIVE_EVENTS -> new LiveEventsScenario(target, runId, kafka, http, balances, token).run();
                    case AUTH_VERIFY -> auth.verify();
                    case AUTH_CACHED -> auth.cached();
                };
                if (scenario == Scenario.BASELINE) baseline = r;
                r = r.withBaseline(baseline);
                results.add(r);
                log.info(String.format(Locale.ROOT,
                        "%s: N=%d%s%s %.0f/s p50 %.1f ms p99 %.1f ms p99.9 %.1f ms%s errors %d%s %s",
                        scenario.label(), r.n(), r.concurrency() == null ? "" : " concurrency " + r.concurrency(),
                        r.rate() == null ? "" : " offered " + r.rate() + "/s", r.throughput(),
                        r.p50Ms(), r.p99Ms(), r.p999Ms(), r.cpuMicrosPerOp() == null ? ""
                                : String.format(Locale.ROOT, " cpu %.0f µs/op", r.cpuMicrosPerOp()), r.errors(),
                        r.ratioToBaseline() == null ? "" : String.format(Locale.ROOT, " (%.2f of baseline)",
                                r.ratioToBaseline()),
                        r.passed() ? "ok" : "FAILED " + r.failures()));
            }
            return new Report(runId, startedAt, stack != null, target, List.copyOf(results));
        } finally {
            if (stack != null) stack.close();
        }
    }

    /**
     * The gateway logs every outcome and every request (access log) at INFO, and the processor every payment the fraud
     * rules hold or decline at WARN; in a benchmark that would be thousands of lines and a cost, so the numbers are for
     * a deployment that ships those logs elsewhere.
     */
    private static void quietPerRequestLogs() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
            context.getLogger("dev.bank.gateway.http").setLevel(Level.WARN);
            context.getLogger("dev.bank.access").setLevel(Level.WARN);
            context.getLogger("dev.bank.processor.topology.FraudDesk").setLevel(Level.ERROR);
        }
    }
}
