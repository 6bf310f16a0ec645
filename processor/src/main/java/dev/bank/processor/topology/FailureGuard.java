package dev.bank.processor.topology;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wraps a processor so that no record can stop its partition: a record whose handling failed
 * {@link RecordFailures#MAX_ATTEMPTS} times is dead-lettered unhandled instead of being handed to it again. A failure
 * still propagates: the stream thread is replaced and the transaction aborted, so nothing a failed attempt half-did is
 * kept. A decorator rather than code in each processor, so the processors hold only what handling a record needs.
 */
final class FailureGuard implements Processor<String, byte[], String, byte[]> {
    private static final Logger log = LoggerFactory.getLogger(FailureGuard.class);

    private final RecordFailures failures;
    private final TopologyMetrics metrics;
    private final Processor<String, byte[], String, byte[]> processor;
    private ProcessorContext<String, byte[]> context;
    private DeadLetterWriter deadLetters;

    /**
     * @param failures  what this instance remembers of records whose processing failed (shared by every task)
     * @param processor the processor guarded, one per task like this guard
     */
    FailureGuard(RecordFailures failures, TopologyMetrics metrics,
                 Processor<String, byte[], String, byte[]> processor) {
        this.failures = failures;
        this.metrics = metrics;
        this.processor = processor;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.deadLetters = new DeadLetterWriter(context, metrics);
        processor.init(context);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        RecordMetadata source = context.recordMetadata().orElse(null);
        String setAside = source == null ? null : failures.setAside(source);
        if (setAside != null) {
            deadLetters.write(record, DeadLetter.PROCESSING_FAILED, "failed " + RecordFailures.MAX_ATTEMPTS
                    + " times and was set aside; last error: " + setAside);
            failures.forget(source);
            return;
        }
        try {
            processor.process(record);
        } catch (RuntimeException e) {
            if (source != null && failures.failed(source, e)) {
                log.error("processing {}-{}@{} failed (key={}); the task retries it", source.topic(),
                        source.partition(), source.offset(), DeadLetters.bounded(record.key(), DeadLetters.MAX_KEY_CHARS), e);
            }
            throw e;
        }
    }

    @Override
    public void close() {
        processor.close();
    }
}
