package dev.bank.processor.topology;

import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a record the processors cannot handle to the dead-letter sink, counted and logged. Its own collaborator
 * because both processors and the {@link FailureGuard} around them dead-letter, and only the guard needs nothing
 * else; the letter itself is built by {@link DeadLetters}, always small enough to be written.
 */
final class DeadLetterWriter {
    private static final Logger log = LoggerFactory.getLogger(DeadLetterWriter.class);

    private final ProcessorContext<String, byte[]> context;
    private final TopologyMetrics metrics;

    DeadLetterWriter(ProcessorContext<String, byte[]> context, TopologyMetrics metrics) {
        this.context = context;
        this.metrics = metrics;
    }

    /** Writes the record's dead letter, with where it came from (the record being processed). */
    void write(Record<String, byte[]> record, DeadLetter reason, String detail) {
        context.forward(DeadLetters.letter(record, context.recordMetadata(), reason, detail),
                BankTopology.DEAD_LETTER_SINK);
        metrics.deadLetter(reason);
        log.warn("dead-lettered record key={} reason={} detail={}",
                DeadLetters.bounded(record.key(), DeadLetters.MAX_KEY_CHARS), reason,
                DeadLetters.bounded(detail, DeadLetters.MAX_DETAIL_CHARS));
    }
}
