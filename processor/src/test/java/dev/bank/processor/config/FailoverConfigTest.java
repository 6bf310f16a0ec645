package dev.bank.processor.config;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FailoverConfigTest {
    private static final Map<String, String> BASE = Map.of("BANK_SERVICE_TOKEN", "t0123456789abcdef0123456789");

    private static Properties streams(Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>(BASE);
        env.putAll(overrides);
        return ProcessorConfig.fromEnv(env).streamsProperties();
    }

    @Test
    void defaultsAreAStandbyFastHeartbeatsATransactionTimeoutUnderTheSessionAndWarmUpsBeforeMovingBack() {
        Properties p = streams(Map.of());

        assertThat(p.get(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG)).isEqualTo(1);
        assertThat(p.get(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG))).isEqualTo(10_000);
        assertThat(p.get(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG))).isEqualTo(500);
        assertThat(p.get(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG))).isEqualTo(10_000);
        assertThat(p.get(StreamsConfig.ACCEPTABLE_RECOVERY_LAG_CONFIG)).isEqualTo(500L);
        assertThat(p.get(StreamsConfig.MAX_WARMUP_REPLICAS_CONFIG)).isEqualTo(2);
        assertThat(p.get(StreamsConfig.PROBING_REBALANCE_INTERVAL_MS_CONFIG)).isEqualTo(60_000L);
        // dynamic membership unless an instance id is given; the classic protocol (see FailoverConfig)
        assertThat(p).doesNotContainKey(StreamsConfig.consumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG));
        assertThat(p).doesNotContainKey(StreamsConfig.GROUP_PROTOCOL_CONFIG);
        // Streams accepts the whole set
        new StreamsConfig(p);
    }

    @Test
    void anInstanceIdMakesTheMemberStatic() {
        Properties p = streams(Map.of("BANK_PROCESSOR_INSTANCE_ID", "processor-0"));

        assertThat(p.get(StreamsConfig.consumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG))).isEqualTo("processor-0");
        // Streams makes one member per stream thread of it: processor-0-1, processor-0-2, ...
        assertThat(new StreamsConfig(p).getMainConsumerConfigs("g", "c", 1))
                .containsEntry(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "processor-0-1");
    }

    @Test
    void aBlankInstanceIdIsDynamicMembership() {
        assertThat(streams(Map.of("BANK_PROCESSOR_INSTANCE_ID", "  ")))
                .doesNotContainKey(StreamsConfig.consumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG));
    }

    @Test
    void heartbeatAndTransactionTimeoutFollowTheSessionTimeoutUnlessSet() {
        Properties shorter = streams(Map.of("BANK_SESSION_TIMEOUT_MS", "6000"));
        assertThat(shorter.get(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG))).isEqualTo(500);
        assertThat(shorter.get(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG))).isEqualTo(6_000);

        Properties set = streams(Map.of("BANK_SESSION_TIMEOUT_MS", "30000", "BANK_HEARTBEAT_INTERVAL_MS", "3000",
                "BANK_TRANSACTION_TIMEOUT_MS", "20000", "BANK_ACCEPTABLE_RECOVERY_LAG", "300",
                "BANK_MAX_WARMUP_REPLICAS", "4", "BANK_PROBING_REBALANCE_INTERVAL_MS", "120000",
                "BANK_STANDBY_REPLICAS", "2"));
        assertThat(set.get(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG))).isEqualTo(30_000);
        assertThat(set.get(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG))).isEqualTo(3_000);
        assertThat(set.get(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG))).isEqualTo(20_000);
        assertThat(set.get(StreamsConfig.ACCEPTABLE_RECOVERY_LAG_CONFIG)).isEqualTo(300L);
        assertThat(set.get(StreamsConfig.MAX_WARMUP_REPLICAS_CONFIG)).isEqualTo(4);
        assertThat(set.get(StreamsConfig.PROBING_REBALANCE_INTERVAL_MS_CONFIG)).isEqualTo(120_000L);
        assertThat(set.get(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG)).isEqualTo(2);
    }

    @Test
    void nonsenseIsRefusedAtStartWithTheVariablesName() {
        assertThatThrownBy(() -> streams(Map.of("BANK_PROCESSOR_INSTANCE_ID", "pod 1; drop")))
                .hasMessageContaining("BANK_PROCESSOR_INSTANCE_ID");
        assertThatThrownBy(() -> streams(Map.of("BANK_PROBING_REBALANCE_INTERVAL_MS", "1000")))
                .hasMessageContaining("BANK_PROBING_REBALANCE_INTERVAL_MS");
        assertThatThrownBy(() -> streams(Map.of("BANK_ACCEPTABLE_RECOVERY_LAG", "-1")))
                .hasMessageContaining("BANK_ACCEPTABLE_RECOVERY_LAG");
        assertThatThrownBy(() -> streams(Map.of("BANK_HEARTBEAT_INTERVAL_MS", "0")))
                .hasMessageContaining("BANK_HEARTBEAT_INTERVAL_MS");
        assertThatThrownBy(() -> streams(Map.of("BANK_MAX_WARMUP_REPLICAS", "0")))
                .hasMessageContaining("BANK_MAX_WARMUP_REPLICAS");
    }
}
