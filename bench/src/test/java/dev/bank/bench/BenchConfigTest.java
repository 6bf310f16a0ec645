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
        assertThat(c.n()).isEqualTo(20_000);
        assertThat(c.concurrency()).isEqualTo(1_000);
        assertThat(c.output()).isEqualTo(Path.of("bench-results.json"));
        assertThat(c.scenarioTimeout()).isEqualTo(Duration.ofMinutes(2));
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
    void refusesUnknownScenariosAndNonPositiveSizes() {
        assertThatThrownBy(() -> BenchConfig.fromEnv(Map.of("BANK_BENCH_SCENARIOS", "fastest")))
                .hasMessageContaining("unknown scenario 'fastest'").hasMessageContaining("kafka-direct");
        assertThatThrownBy(() -> BenchConfig.fromEnv(Map.of("BANK_BENCH_CONCURRENCY", "0")))
                .hasMessageContaining("BANK_BENCH_CONCURRENCY");
    }
}
