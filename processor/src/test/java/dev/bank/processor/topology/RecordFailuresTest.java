package dev.bank.processor.topology;

import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.streams.errors.TaskMigratedException;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RecordFailuresTest {
    private final RecordFailures failures = new RecordFailures();
    private final RecordMetadata record = HostileRecordsTopologyTest.metadata("bank.commands", 2, 17);

    @Test
    void setsARecordAsideAfterTheAllowedFailuresOfOurOwnCode() {
        for (int i = 1; i < RecordFailures.MAX_ATTEMPTS; i++) {
            failures.failed(record, new NullPointerException("bug " + i));
            assertThat(failures.setAside(record)).as("after %d failures", i).isNull();
        }
        failures.failed(record, new ArithmeticException("overflow"));
        assertThat(failures.setAside(record)).contains("overflow");
        assertThat(failures.setAside(HostileRecordsTopologyTest.metadata("bank.commands", 2, 18))).isNull();
        failures.forget(record);
        assertThat(failures.setAside(record)).isNull();
    }

    @Test
    void doesNotCountKafkasOwnErrorsAgainstTheRecord() {
        for (int i = 0; i < 10; i++) {
            assertThat(failures.failed(record, new TaskMigratedException("rebalanced"))).isFalse();
            assertThat(failures.failed(record, new ProducerFencedException("fenced"))).isFalse();
        }
        assertThat(failures.setAside(record)).isNull();
    }
}
