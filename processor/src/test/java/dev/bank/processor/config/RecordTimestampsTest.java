package dev.bank.processor.config;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class RecordTimestampsTest {
    private static ConsumerRecord<Object, Object> at(long timestamp) {
        return new ConsumerRecord<>("bank.commands", 0, 7, timestamp, TimestampType.CREATE_TIME, 0, 0, "acc-1",
                new byte[0], new RecordHeaders(), Optional.empty());
    }

    @Test
    void takesARecordsOwnTimestampAndThePartitionsTimeForANegativeOne() {
        RecordTimestamps extractor = new RecordTimestamps();
        assertThat(extractor.extract(at(1_000), 5_000)).isEqualTo(1_000);
        assertThat(extractor.extract(at(0), 5_000)).isZero();
        assertThat(extractor.extract(at(-1), 5_000)).isEqualTo(5_000);
        assertThat(extractor.extract(at(Long.MIN_VALUE), 5_000)).isEqualTo(5_000);
        assertThat(extractor.extract(at(-1), -1)).as("before any record of the partition").isZero();
    }

    @Test
    void isTheProcessorsExtractor() {
        assertThat(ProcessorConfig.fromEnv(Map.of()).streamsProperties())
                .containsEntry(StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG, RecordTimestamps.class);
    }
}
