package dev.bank.processor;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Whether the stream threads are failing. A thread that dies is replaced, and between two deaths Kafka Streams can
 * look RUNNING; a record that kills every thread that reads it would stall its partition behind a processor that
 * reports itself ready. So each failure makes the instance unready for {@link #QUARANTINE}: it comes back once its
 * threads have run that long without failing.
 */
final class StreamThreadHealth {
    static final Duration QUARANTINE = Duration.ofSeconds(30);

    private final Counter failures;
    private final LongSupplier nanoTime;
    private volatile long lastFailureNanos;
    private volatile String lastFailure;

    StreamThreadHealth(MeterRegistry registry, LongSupplier nanoTime) {
        this.failures = Counter.builder("bank.stream.thread.failures")
                .description("Stream threads that died of an exception and were replaced").register(registry);
        this.nanoTime = nanoTime;
    }

    void failed(Throwable error) {
        failures.increment();
        lastFailure = error.toString();
        lastFailureNanos = nanoTime.getAsLong();
    }

    /** Null when no thread failed within the quarantine; otherwise what happened. */
    String problem() {
        String failure = lastFailure;
        if (failure == null) return null;
        long since = nanoTime.getAsLong() - lastFailureNanos;
        if (since >= QUARANTINE.toNanos()) return null;
        return "a stream thread failed " + Duration.ofNanos(since).toSeconds() + " s ago (" + (long) failures.count()
                + " failures since start): " + failure;
    }
}
