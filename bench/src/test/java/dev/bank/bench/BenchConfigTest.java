package dev.bank.bench;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BenchConfigTest {

    @Test
    void defaultsRunEveryScenarioInProcess() {
        BenchConfig c = BenchConfig.fromEnv(Map.of());
        assertThat(c.embedded()).isTrue();
        assertThat(c.scenarios()).containsExactly(Scenario.values());
        assertThat(c.n()).isEqualTo(100_000);
        assertThat(c.concurrency()).isEqualTo(1_000);
        assertThat(c.openLoop()).isFalse();
        assertThat(c.restN()).isEqualTo(20_000);
        assertThat(c.restWarmup()).isEqualTo(20_000); // min(REST_N, warm-up)
        assertThat(c.output()).isEqualTo(Path.of("bench-results.json"));
        assertThat(c.scenarioTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.processors()).isEqualTo(1);
        assertThat(c.fraudRounds()).isEqualTo(3);
        assertThat(c.subscribers()).isEqualTo(1_000);
        assertThat(BenchConfig.fromEnv(Map.of("BANK_BENCH_SUBSCRIBERS", "2_500")).subscribers()).isEqualTo(2_500);
        assertThatThrownBy(() -> BenchConfig.fromEnv(Map.of("BANK_BENCH_SUBSCRIBERS", "0")))
                .hasMessageContaining("BANK_BENCH_SUBSCRIBERS");
        assertThat(Scenario.byName("live-events")).isEqualTo(Scenario.LIVE_EVENTS);
    }

    @Test
    void readsScenariosInRunOrderAndAnExternalTarget() {
        BenchConfig c = BenchConfig.fromEnv(Map.of(
                "BANK_BENCH_SCENARIOS", "rest-sync, baseline,hot-account",
                "BANK_BENCH_N", "1_000",
                "BANK_BENCH_BOOTSTRAP_SERVERS", "127.0.0.1:19092",
                "BANK_BENCH_GATEWAY_URL", "http://127.0.0.1:18080/"));
        assertThat(c.scenarios()).isEqualTo(List.of(Scenario.BASELINE, Scenario.HOT_ACCOUNT, Scenario.REST_SYNC));
        assertThat(c.n()).isEqualTo(1_000);
        assertThat(c.embedded()).isFalse();
        assertThat(c.gatewayUrl()).isEqualTo("http://127.0.0.1:18080");
    }

    @Test
    void theHoldScenariosRunRightAfterHotAccount() {
        BenchConfig c = BenchConfig.fromEnv(Map.of("BANK_BENCH_SCENARIOS",
                "rest-sync,hot-account-holds,holds-mix,hot-account,kafka-direct"));
        assertThat(c.scenarios()).containsExactly(Scenario.KAFKA_DIRECT, Scenario.HOT_ACCOUNT, Scenario.HOLDS_MIX,
                Scenario.HOT_ACCOUNT_HOLDS, Scenario.REST_SYNC);
        assertThat(Scenario.HOT_ACCOUNT_HOLDS.label()).isEqualTo("hot-account-holds");
    }

    @Test
    void aRateMakesTheRestScenariosAnOpenLoopAndTheRestWarmUpIsAtMostRestN() {
        BenchConfig c = BenchConfig.fromEnv(Map.of("BANK_BENCH_RATE", "1_500", "BANK_BENCH_REST_N", "500"));
        assertThat(c.openLoop()).isTrue();
        assertThat(c.rate()).isEqualTo(1_500);
        assertThat(c.restWarmup()).isEqualTo(500);
        assertThat(BenchConfig.fromEnv(Map.of("BANK_BENCH_WARMUP", "0")).restWarmup()).isZero();
        assertThatThrownBy(() -> BenchConfig.fromEnv(Map.of("BANK_BENCH_RATE", "-1")))
                .hasMessageContaining("BANK_BENCH_RATE");
    }

    @Test
    void refusesUnknownScenariosAndNonPositiveSizes() {
        assertThatThrownBy(() -> BenchConfig.fromEnv(Map.of("BANK_BENCH_SCENARIOS", "fastest")))
                .hasMessageContaining("unknown scenario 'fastest'").hasMessageContaining("kafka-direct");
        assertThatThrownBy(() -> BenchConfig.fromEnv(Map.of("BANK_BENCH_CONCURRENCY", "0")))
                .hasMessageContaining("BANK_BENCH_CONCURRENCY");
        assertThatThrownBy(() -> BenchConfig.fromEnv(Map.of("BANK_BENCH_PROCESSORS", "0")))
                .hasMessageContaining("BANK_BENCH_PROCESSORS");
        assertThatThrownBy(() -> BenchConfig.fromEnv(Map.of("BANK_BENCH_FRAUD_ROUNDS", "0")))
                .hasMessageContaining("BANK_BENCH_FRAUD_ROUNDS");
    }
}
