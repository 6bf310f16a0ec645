package dev.bank.bench;

import dev.bank.observability.KafkaSecurity;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

class StreamsFloorTest {

    @Test
    void forwardsEveryRecordUnchanged() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "floor-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        try (TopologyTestDriver driver = new TopologyTestDriver(StreamsFloor.topology("in", "out"), props)) {
            TestInputTopic<byte[], byte[]> in = driver.createInputTopic("in", new ByteArraySerializer(),
                    new ByteArraySerializer());
            TestOutputTopic<byte[], byte[]> out = driver.createOutputTopic("out", new ByteArrayDeserializer(),
                    new ByteArrayDeserializer());
            Instant at = Instant.parse("2026-01-01T00:00:00Z");
            RecordHeaders headers = new RecordHeaders();
            headers.add("h", bytes("v"));

            in.pipeInput(new TestRecord<>(bytes("acc-1"), bytes("{\"a\":1}"), headers, at));
            in.pipeInput(new TestRecord<>(bytes("acc-2"), bytes("{\"a\":2}"), at.plusMillis(1)));

            TestRecord<byte[], byte[]> first = out.readRecord();
            assertThat(first.key()).isEqualTo(bytes("acc-1"));
            assertThat(first.value()).isEqualTo(bytes("{\"a\":1}"));
            assertThat(first.getRecordTime()).isEqualTo(at);
            assertThat(first.headers().lastHeader("h").value()).isEqualTo(bytes("v"));
            assertThat(out.readRecord().value()).isEqualTo(bytes("{\"a\":2}"));
            assertThat(out.isEmpty()).isTrue();
        }
    }

    @Test
    void topologyIsSourceForwardSink() {
        String described = StreamsFloor.topology("in", "out").describe().toString();

        assertThat(described).contains(StreamsFloor.SOURCE + " (topics: [in])", "Processor: " + StreamsFloor.FORWARD,
                StreamsFloor.SINK + " (topic: out)");
    }

    @Test
    void takesTheProcessorsStreamsSettingsWithOneThreadAndItsOwnId() {
        Map<String, String> env = Map.of("BANK_COMMIT_INTERVAL_MS", "37", "BANK_STREAM_THREADS", "4",
                "BANK_INTERNAL_REPLICATION", "1", "BANK_STANDBY_REPLICAS", "1");

        Properties p = StreamsFloor.properties(env, "broker:9092", KafkaSecurity.PLAINTEXT, "bank-bench-floor-r1", Path.of("/tmp/floor"));

        assertThat(p.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)).isEqualTo(StreamsConfig.EXACTLY_ONCE_V2);
        assertThat(p.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)).isEqualTo(37L);
        assertThat(p.get(StreamsConfig.REPLICATION_FACTOR_CONFIG)).isEqualTo(1);
        assertThat(p.get(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG)).isEqualTo(0L);
        assertThat(p.get(StreamsConfig.NUM_STREAM_THREADS_CONFIG)).isEqualTo(1);
        assertThat(p.get(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG)).isEqualTo(0);
        assertThat(p.get(StreamsConfig.APPLICATION_ID_CONFIG)).isEqualTo("bank-bench-floor-r1");
        assertThat(p.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG)).isEqualTo("broker:9092");
        assertThat(p.get(StreamsConfig.STATE_DIR_CONFIG)).isEqualTo(Path.of("/tmp/floor").toAbsolutePath().toString());
        assertThat(p).doesNotContainKey(StreamsConfig.APPLICATION_SERVER_CONFIG);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
