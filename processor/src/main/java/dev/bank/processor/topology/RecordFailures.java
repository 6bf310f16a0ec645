package dev.bank.processor.topology;

import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.api.RecordMetadata;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers, for one processor instance, which records made processing throw. A record whose processing throws
 * takes its stream thread down; the thread is replaced, the open transaction is aborted, and the same record is read
 * again. A record that fails every time would stop its partition, and every account on it, for good. After
 * {@link #MAX_ATTEMPTS} failures the record is set aside (dead-lettered unprocessed) instead.
 *
 * <p>Only failures of our own code count: Kafka's errors (a fenced producer, a migrated task, a broker that cannot
 * take a write) say nothing about the record and are retried as they are. The memory is per instance and survives
 * thread replacement, not a restart; a partition that moves to another instance gets its own attempts there.
 */
public final class RecordFailures {
    static final int MAX_ATTEMPTS = 3;
    /** Failing records remembered at most; a bug that fails every record is not a poison record. */
    private static final int MAX_REMEMBERED = 10_000;

    private record Failures(int count, String lastError) {}

    private final Map<String, Failures> failures = new ConcurrentHashMap<>();

    /** The last error of a record that already failed {@link #MAX_ATTEMPTS} times, or null when it may be tried. */
    String setAside(RecordMetadata record) {
        if (failures.isEmpty()) return null; // every record asks; almost never has one failed
        Failures f = failures.get(key(record));
        return f != null && f.count() >= MAX_ATTEMPTS ? f.lastError() : null;
    }

    /** Counts a failure of processing the record, when it is one of ours; true when it was counted. */
    boolean failed(RecordMetadata record, RuntimeException error) {
        if (error instanceof StreamsException || error instanceof ApiException) return false;
        if (failures.size() >= MAX_REMEMBERED) failures.clear();
        failures.merge(key(record), new Failures(1, error.toString()),
                (before, now) -> new Failures(before.count() + 1, now.lastError()));
        return true;
    }

    /** Forgets a record once it was set aside. */
    void forget(RecordMetadata record) {
        failures.remove(key(record));
    }

    private static String key(RecordMetadata m) {
        return m.topic() + '\u0000' + m.partition() + '\u0000' + m.offset();
    }
}
