package dev.bank.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bank.schemas.Json;
import dev.bank.schemas.Money;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The REST scenarios: {@code POST /transaction} waiting for each outcome (rest-sync), then
 * {@code GET /balance/{id}} (rest-balance), either {@code BANK_BENCH_CONCURRENCY} requests always in flight
 * (closed loop) or {@code BANK_BENCH_RATE} requests/s offered on at most that many (open loop, see
 * {@link RestLoad}). Accounts are opened through Kafka first, untimed, and each endpoint is warmed up first with
 * untimed closed-loop requests on accounts of its own. A POST is right when it is answered 200 with its own
 * transactionId (a 202, outcome late, counts as an error); a balance read when it is 200 with exactly the
 * expected balance.
 */
final class RestScenarios {
    private final BenchConfig config;
    private final String runId;
    private final KafkaScenarios kafka;
    private final RestLoad http;
    private final Balances balances;

    private final String bearer;

    /** @param token the bearer token of {@link Workload#PRINCIPAL}, sent with every request */
    RestScenarios(BenchConfig config, String runId, KafkaScenarios kafka, RestLoad http, Balances balances,
                  String token) {
        this.bearer = "Bearer " + token;
        this.config = config;
        this.runId = runId;
        this.kafka = kafka;
        this.http = http;
        this.balances = balances;
    }

    ScenarioResult sync() {
        List<String> failures = new ArrayList<>();
        if (config.restWarmup() > 0) {
            Workload warm = workload(runId + "w", Scenario.REST_SYNC, config.restWarmup());
            failures.addAll(warmUp(warm, x -> transactions(x, "rest-sync-warmup", 0)));
        }
        Workload w = workload(runId, Scenario.REST_SYNC, config.restN());
        failures.addAll(kafka.openAccounts(w));
        if (!failures.isEmpty()) return setupFailed(Scenario.REST_SYNC, failures);
        // the gateways' threads, when they run in this JVM (the in-process bank; an external one's are not here)
        CpuClock.NamedThreads gateways = CpuClock.NamedThreads.start(LiveEventsScenario.GATEWAY_THREADS);
        RestLoad.Run run = transactions(w, Scenario.REST_SYNC.label(), config.rate());
        Map<String, Long> gatewayCpu = CpuClock.NamedThreads.byPrefix(gateways);
        failures.addAll(run.failures());
        failures.addAll(balances.verify(w.expectedBalances(w.n()), config.scenarioTimeout()));
        ScenarioResult result = result(Scenario.REST_SYNC, run, failures);
        boolean inProcess = gatewayCpu.values().stream().anyMatch(nanos -> nanos > 0);
        return !inProcess ? result : result.withDetails(new GatewayCpu(config.gatewayUrls().size(),
                run.completed(), gatewayCpu));
    }

    /**
     * The in-process gateways' share of rest-sync's CPU (their threads by name, summed over every instance; GC and JIT
     * not included): what a request costs the gateway tier, and what reading the outcomes costs it.
     */
    private record GatewayCpu(int gateways, int requests, Map<String, Long> byThreads) implements ScenarioDetails {
        private double perRequestMicros(long nanos) {
            return requests == 0 ? Double.NaN : nanos / 1_000.0 / requests;
        }

        private long total() {
            return byThreads.values().stream().mapToLong(Long::longValue).sum();
        }

        @Override
        public List<String> lines() {
            StringBuilder threads = new StringBuilder();
            byThreads.forEach((name, nanos) -> threads.append(String.format(Locale.ROOT, " %s %.0f,",
                    name.replace("kafka-producer-network-thread | bank-gateway", "producer"), perRequestMicros(nanos))));
            return List.of(String.format(Locale.ROOT, "rest-sync: the %d gateway(s)' threads used %.0f µs of CPU per "
                    + "request; by thread:%s", gateways, perRequestMicros(total()),
                    threads.substring(0, Math.max(0, threads.length() - 1))));
        }

        @Override
        public Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("gateways", gateways);
            m.put("gatewayCpuMicrosPerRequest", Math.round(perRequestMicros(total()) * 10) / 10.0);
            Map<String, Object> byThread = new LinkedHashMap<>();
            byThreads.forEach((name, nanos) -> byThread.put(name, Math.round(perRequestMicros(nanos) * 10) / 10.0));
            m.put("gatewayCpuMicrosPerRequestByThreads", byThread);
            return m;
        }
    }

    private RestLoad.Run transactions(Workload w, String label, int rate) {
        return http.run(label, config.gatewayUrl(), w.n(), config.concurrency(), rate,
                i -> Request.post("/transaction", "application/json", Json.bytes(body(w, i)))
                        .with("Authorization", bearer),
                (i, response) -> checkTransaction(w, i, response),
                config.scenarioTimeout());
    }

    ScenarioResult balance() {
        List<String> failures = new ArrayList<>();
        if (config.restWarmup() > 0) {
            Workload warm = workload(runId + "w", Scenario.REST_BALANCE, config.restWarmup());
            failures.addAll(warmUp(warm, x -> balanceReads(x, "rest-balance-warmup", 0)));
        }
        Workload w = workload(runId, Scenario.REST_BALANCE, config.restN());
        failures.addAll(kafka.openAccounts(w));
        if (!failures.isEmpty()) return setupFailed(Scenario.REST_BALANCE, failures);
        RestLoad.Run run = balanceReads(w, Scenario.REST_BALANCE.label(), config.rate());
        failures.addAll(run.failures());
        return result(Scenario.REST_BALANCE, run, failures);
    }

    private RestLoad.Run balanceReads(Workload w, String label, int rate) {
        Map<String, Long> expected = w.expectedBalances(0); // opened, nothing posted
        return http.run(label, config.gatewayUrl(), w.n(), config.concurrency(), rate,
                i -> Request.get("/balance/" + URLEncoder.encode(w.accountOf(i), StandardCharsets.UTF_8))
                        .with("Authorization", bearer),
                (i, response) -> checkBalance(w.accountOf(i), expected.get(w.accountOf(i)), response),
                config.scenarioTimeout());
    }

    private Workload workload(String run, Scenario scenario, int n) {
        return new Workload(run, scenario, Math.min(config.accounts(), n), n);
    }

    /**
     * The untimed warm-up of one endpoint, closed loop, on the warm-up workload's own accounts (opened first),
     * so the timed run meets compiled code and open connections; returns its failures, in words.
     */
    private List<String> warmUp(Workload warm, Function<Workload, RestLoad.Run> load) {
        List<String> failures = new ArrayList<>(kafka.openAccounts(warm));
        if (failures.isEmpty()) failures.addAll(load.apply(warm).failures());
        return failures.stream().map(f -> "warm-up: " + f).toList();
    }

    private ScenarioResult result(Scenario scenario, RestLoad.Run run, List<String> failures) {
        return ScenarioResult.of(scenario, run.n(), config.concurrency(), config.openLoop() ? config.rate() : null,
                run.elapsedNanos(), run.cpuNanos(), run.loadCpuNanos(), run.completed(), run.latencies(),
                run.errors() + (run.n() - run.completed()), failures);
    }

    private ScenarioResult setupFailed(Scenario scenario, List<String> failures) {
        return ScenarioResult.setupFailed(scenario, config.restN(), config.concurrency(),
                config.openLoop() ? config.rate() : null, failures);
    }

    static Map<String, Object> body(Workload w, int i) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("accountId", w.accountOf(i));
        body.put("amount", w.amount(i));
        body.put("type", w.debit(i) ? "debit" : "credit");
        body.put("transactionId", w.transactionId(i));
        return body;
    }

    static String checkTransaction(Workload w, int i, Response response) {
        String tx = w.transactionId(i);
        if (response.status() != 200) return tx + ": HTTP " + response.status() + " " + abbreviate(response.body());
        JsonNode body = parse(response.body());
        if (body == null || !tx.equals(body.path("transactionId").asText())
                || !"success".equals(body.path("status").asText())
                || !(w.debit(i) ? "debit" : "credit").equals(body.path("type").asText().toLowerCase(Locale.ROOT))) {
            return tx + ": unexpected answer " + abbreviate(response.body());
        }
        if (response.header("Idempotent-Replayed") != null) return tx + ": answered as a replay";
        return null;
    }

    private static String checkBalance(String accountId, long expectedMinor, Response response) {
        if (response.status() != 200) {
            return accountId + ": HTTP " + response.status() + " " + abbreviate(response.body());
        }
        JsonNode body = parse(response.body());
        String expected = Money.toMajor(expectedMinor, Workload.EUR);
        if (body == null || !accountId.equals(body.path("accountId").asText())
                || !expected.equals(body.path("balance").asText())) {
            return accountId + ": expected balance " + expected + ", got " + abbreviate(response.body());
        }
        return null;
    }

    private static JsonNode parse(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (IOException e) {
            return null;
        }
    }

    private static String abbreviate(String s) {
        return s == null ? "" : s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
