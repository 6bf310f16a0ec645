package dev.bank.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bank.schemas.Json;
import dev.bank.schemas.Money;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The REST scenarios, {@code BANK_BENCH_CONCURRENCY} requests in flight: {@code POST /transaction} waiting for
 * each outcome (rest-sync), then {@code GET /balance/{id}} (rest-balance). Accounts are opened through Kafka
 * first, untimed. A POST is right when it is answered 200 with its own transactionId (a 202, outcome late,
 * counts as an error); a balance read when it is 200 with exactly the expected balance.
 */
final class RestScenarios {
    private final BenchConfig config;
    private final String runId;
    private final KafkaScenarios kafka;
    private final RestLoad http;
    private final Balances balances;

    RestScenarios(BenchConfig config, String runId, KafkaScenarios kafka, RestLoad http, Balances balances) {
        this.config = config;
        this.runId = runId;
        this.kafka = kafka;
        this.http = http;
        this.balances = balances;
    }

    ScenarioResult sync() {
        Workload w = new Workload(runId, Scenario.REST_SYNC, Math.min(config.accounts(), config.restN()),
                config.restN());
        List<String> failures = new ArrayList<>(kafka.openAccounts(w));
        if (!failures.isEmpty()) return setupFailed(Scenario.REST_SYNC, failures);
        String url = config.gatewayUrl() + "/transaction";
        RestLoad.Run run = http.run(Scenario.REST_SYNC.label(), w.n(), config.concurrency(),
                i -> RestLoad.request(url).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(body(w, i)))).build(),
                (i, response) -> checkTransaction(w, i, response),
                config.scenarioTimeout());
        failures.addAll(run.failures());
        failures.addAll(balances.verify(w.expectedBalances(w.n()), config.scenarioTimeout()));
        return ScenarioResult.of(Scenario.REST_SYNC, w.n(), config.concurrency(), run.elapsedNanos(),
                run.latencies(), run.errors() + (w.n() - run.completed()), failures);
    }

    ScenarioResult balance() {
        Workload w = new Workload(runId, Scenario.REST_BALANCE, Math.min(config.accounts(), config.restN()),
                config.restN());
        List<String> failures = new ArrayList<>(kafka.openAccounts(w));
        if (!failures.isEmpty()) return setupFailed(Scenario.REST_BALANCE, failures);
        Map<String, Long> expected = w.expectedBalances(0); // opened, nothing posted
        RestLoad.Run run = http.run(Scenario.REST_BALANCE.label(), w.n(), config.concurrency(),
                i -> RestLoad.request(config.gatewayUrl() + "/balance/"
                        + URLEncoder.encode(w.accountOf(i), StandardCharsets.UTF_8)).GET().build(),
                (i, response) -> checkBalance(w.accountOf(i), expected.get(w.accountOf(i)), response),
                config.scenarioTimeout());
        failures.addAll(run.failures());
        return ScenarioResult.of(Scenario.REST_BALANCE, w.n(), config.concurrency(), run.elapsedNanos(),
                run.latencies(), run.errors() + (w.n() - run.completed()), failures);
    }

    private ScenarioResult setupFailed(Scenario scenario, List<String> failures) {
        return ScenarioResult.of(scenario, config.restN(), config.concurrency(), 0, new Latencies(),
                config.restN(), failures);
    }

    private static Map<String, Object> body(Workload w, int i) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("accountId", w.accountOf(i));
        body.put("amount", w.amount(i));
        body.put("type", w.debit(i) ? "debit" : "credit");
        body.put("transactionId", w.transactionId(i));
        return body;
    }

    private static String checkTransaction(Workload w, int i, HttpResponse<String> response) {
        String tx = w.transactionId(i);
        if (response.statusCode() != 200) return tx + ": HTTP " + response.statusCode() + " " + abbreviate(response.body());
        JsonNode body = parse(response.body());
        if (body == null || !tx.equals(body.path("transactionId").asText())
                || !"success".equals(body.path("status").asText())
                || !(w.debit(i) ? "debit" : "credit").equals(body.path("type").asText().toLowerCase(Locale.ROOT))) {
            return tx + ": unexpected answer " + abbreviate(response.body());
        }
        if (response.headers().firstValue("Idempotent-Replayed").isPresent()) return tx + ": answered as a replay";
        return null;
    }

    private static String checkBalance(String accountId, long expectedMinor, HttpResponse<String> response) {
        if (response.statusCode() != 200) {
            return accountId + ": HTTP " + response.statusCode() + " " + abbreviate(response.body());
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
