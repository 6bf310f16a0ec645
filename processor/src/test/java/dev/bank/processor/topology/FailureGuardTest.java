package dev.bank.processor.topology;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.errors.TaskMigratedException;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedForward;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The guard on its own, around a processor that fails on demand: the topology tests seed {@link RecordFailures} by
 * hand, so the way a throwing processor's failures are counted, rethrown and end in a set-aside is tested here.
 */
class FailureGuardTest {
    private final RecordFailures failures = new RecordFailures();
    private final MockProcessorContext<String, byte[]> context = new MockProcessorContext<>();
    private final Record<String, byte[]> record = new Record<>("acc-1", "x".getBytes(StandardCharsets.UTF_8), 42L);
    private final Failing processor = new Failing();
    private final FailureGuard guard = new FailureGuard(failures, new TopologyMetrics(new SimpleMeterRegistry()),
            processor);

    /** Throws what it is told to, and remembers what it was given. */
    private static final class Failing implements Processor<String, byte[], String, byte[]> {
        RuntimeException error;
        ProcessorContext<String, byte[]> context;
        final List<Record<String, byte[]>> handled = new ArrayList<>();
        boolean closed;

        @Override
        public void init(ProcessorContext<String, byte[]> context) {
            this.context = context;
        }

        @Override
        public void process(Record<String, byte[]> record) {
            handled.add(record);
            if (error != null) throw error;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @BeforeEach
    void init() {
        guard.init(context);
        context.setRecordMetadata("bank.commands", 0, 7);
    }

    @Test
    void passesTheContextTheRecordsAndTheCloseOn() {
        guard.process(record);
        guard.close();
        assertThat(processor.context).isSameAs(context);
        assertThat(processor.handled).containsExactly(record);
        assertThat(processor.closed).isTrue();
        assertThat(context.forwarded()).isEmpty();
    }

    @Test
    void rethrowsEachFailureAndSetsTheRecordAsideOnceItHasFailedTheAllowedNumberOfTimes() {
        // Given a processor that fails on the record every time it is read again
        processor.error = new IllegalStateException("a bug");
        for (int i = 0; i < RecordFailures.MAX_ATTEMPTS; i++) {
            assertThatThrownBy(() -> guard.process(record)).isSameAs(processor.error);
        }
        assertThat(context.forwarded()).isEmpty();
        // When it is read once more
        guard.process(record);
        // Then it is dead-lettered unhandled, with the last error, and forgotten: its next reading is handled
        assertThat(processor.handled).hasSize(RecordFailures.MAX_ATTEMPTS);
        List<CapturedForward<? extends String, ? extends byte[]>> letters = context.forwarded();
        assertThat(letters).hasSize(1);
        assertThat(letters.get(0).childName()).hasValue(BankTopology.DEAD_LETTER_SINK);
        Record<? extends String, ? extends byte[]> letter = letters.get(0).record();
        assertThat(letter.key()).isEqualTo("acc-1");
        assertThat(letter.timestamp()).isEqualTo(42L);
        assertThat(header(letter, DeadLetter.REASON_HEADER)).isEqualTo(DeadLetter.PROCESSING_FAILED.name());
        assertThat(header(letter, DeadLetter.DETAIL_HEADER)).contains("a bug");
        assertThat(header(letter, DeadLetter.SOURCE_OFFSET_HEADER)).isEqualTo("7");
        processor.error = null;
        guard.process(record);
        assertThat(processor.handled).hasSize(RecordFailures.MAX_ATTEMPTS + 1);
    }

    @Test
    void kafkasOwnErrorsPropagateWithoutEverSettingTheRecordAside() {
        processor.error = new TaskMigratedException("rebalanced");
        for (int i = 0; i < RecordFailures.MAX_ATTEMPTS + 2; i++) {
            assertThatThrownBy(() -> guard.process(record)).isSameAs(processor.error);
        }
        assertThat(processor.handled).hasSize(RecordFailures.MAX_ATTEMPTS + 2);
        assertThat(context.forwarded()).isEmpty();
    }

    private static String header(Record<? extends String, ? extends byte[]> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
