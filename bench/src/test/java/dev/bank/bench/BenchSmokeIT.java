package dev.bank.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bank.schemas.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The benchmark with a tiny N against its own in-process bank: every scenario runs and passes its own
 * checks, the table and the JSON come out. The REST scenarios run as an open loop (a rate is set), so the
 * paced path is exercised end to end; their warm-ups and the balance checks are closed loops (live-events: with 20
 * subscribers). Two processors
 * share the partitions, so reads of half the accounts are forwarded from the first to the second. It proves the
 * harness works, not how fast anything is.
 */
class BenchSmokeIT {

    @Test
    void everyScenarioRunsAndPassesItsOwnChecks(@TempDir Path dir) throws Exception {
        Path output = dir.resolve("bench-results.json");
        Map<String, String> env = new java.util.HashMap<>(Map.of(
                "BANK_BENCH_N", "50",
                "BANK_BENCH_REST_N", "50",
                "BANK_BENCH_CONCURRENCY", "10",
                "BANK_BENCH_RATE", "500",
                "BANK_BENCH_ACCOUNTS", "10",
                "BANK_BENCH_WARMUP", "20",
                "BANK_BENCH_TIMEOUT", "PT30S",
                "BANK_BENCH_OUTPUT", output.toString(),
                "BANK_BENCH_PROCESSORS", "2",
                "BANK_COMMIT_INTERVAL_MS", "20"));
        env.put("BANK_BENCH_SUBSCRIBERS", "20");
        BenchConfig config = BenchConfig.fromEnv(env);

        Report report = Bench.run(config, env);
        report.write(config.output());
        ByteArrayOutputStream table = new ByteArrayOutputStream();
        report.print(new PrintStream(table, true, StandardCharsets.UTF_8));

        assertThat(report.results()).extracting(ScenarioResult::scenario).containsExactly(Scenario.values());
        assertThat(report.results()).allSatisfy(r -> {
            assertThat(r.failures()).as(r.scenario().label() + " self-checks").isEmpty();
            assertThat(r.errors()).as(r.scenario().label() + " errors").isZero();
            assertThat(r.throughput()).as(r.scenario().label() + " throughput").isPositive();
            assertThat(r.p99Ms()).as(r.scenario().label() + " p99").isPositive();
            assertThat(r.ratioToBaseline()).as(r.scenario().label() + " ratio").isNotNull().isPositive();
            assertThat(r.rate()).as(r.scenario().label() + " offered rate").isEqualTo(r.scenario().rest() ? 500 : null);
            // at N = 50 the timed part may fall within one 10 ms CPU clock tick, so only its presence is checked
            assertThat(r.cpuMicrosPerOp()).as(r.scenario().label() + " cpu µs/op").isNotNull().isNotNegative();
            if (r.scenario().rest()) {
                assertThat(r.loadCpuMicrosPerOp()).as(r.scenario().label() + " load µs/op").isNotNull().isNotNegative();
            }
        });
        assertThat(report.passed()).isTrue();
        String printed = table.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("throughput/s", "p99.9 ms", "rate", "cpu µs/op", "load µs/op");
        // the fraud scenario's figures under the table: the quality table and the cost of the rules against off
        assertThat(printed).contains("fraud: quality: labelled activity", "fraud:   overall: precision",
                "fraud:   quiet", "fraud:   defaults", "vs off: cpu");
        Arrays.stream(Scenario.values()).forEach(s -> assertThat(printed).contains(s.label()));

        JsonNode json = Json.MAPPER.readTree(output.toFile());
        assertThat(json.path("passed").asBoolean()).isTrue();
        assertThat(json.path("target").path("inProcess").asBoolean()).isTrue();
        assertThat(json.path("target").path("processors").asInt()).isEqualTo(2);
        JsonNode results = json.path("results");
        assertThat(results).hasSize(Scenario.values().length);
        assertThat(results.get(0).path("scenario").asText()).isEqualTo("baseline");
        assertThat(results.get(1).path("scenario").asText()).isEqualTo("streams-floor");
        assertThat(results.get(Scenario.HOLDS_MIX.ordinal()).path("scenario").asText()).isEqualTo("holds-mix");
        assertThat(results.get(Scenario.HOT_ACCOUNT_HOLDS.ordinal()).path("scenario").asText())
                .isEqualTo("hot-account-holds");
        JsonNode restSync = results.get(Scenario.REST_SYNC.ordinal());
        JsonNode restBalance = results.get(Scenario.REST_BALANCE.ordinal());
        assertThat(restSync.path("concurrency").asInt()).isEqualTo(10);
        assertThat(restSync.path("loop").asText()).isEqualTo("open");
        assertThat(restBalance.path("offeredRatePerSec").asInt()).isEqualTo(500);
        assertThat(results.get(Scenario.KAFKA_DIRECT.ordinal()).path("offeredRatePerSec").isNull()).isTrue();
        assertThat(restBalance.has("p999Ms")).isTrue();
        assertThat(results).allSatisfy(r -> assertThat(r.path("cpuMicrosPerOp").isNumber()).isTrue());
        JsonNode fraud = results.get(Scenario.FRAUD.ordinal());
        assertThat(fraud.path("scenario").asText()).isEqualTo("fraud");
        JsonNode score = fraud.path("details").path("quality").path("score");
        assertThat(score.path("missing").asInt(-1)).isZero();
        assertThat(score.path("rules")).hasSize(6);
        assertThat(score.path("patterns")).hasSize(6);
        assertThat(score.path("overall").path("fraud").asInt()).isPositive();
        JsonNode cost = fraud.path("details").path("cost");
        for (String variant : new String[] {"off", "quiet", "defaults"}) {
            assertThat(cost.path(variant).path("runs")).as(variant).hasSize(3);
        }
        // live-events: every subscriber connected, every event received once, the latencies next to rest-sync's
        JsonNode live = results.get(Scenario.LIVE_EVENTS.ordinal()).path("details");
        assertThat(live.path("subscribersConnected").asInt()).isEqualTo(20);
        assertThat(live.path("eventsExpected").asLong()).isPositive();
        assertThat(live.path("eventsReceived").asLong()).isEqualTo(live.path("eventsExpected").asLong());
        assertThat(live.path("eventMinusSent").path("p99Ms").asDouble()).isPositive();
        assertThat(live.path("restAnsweredMinusSent").path("p99Ms").asDouble()).isPositive();
        assertThat(printed).contains("live-events: events:", "event received - command answered");
    }
}
