package dev.bank.processor;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class StreamThreadHealthTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final StreamThreadHealth health = new StreamThreadHealth(registry, now::get);

    @Test
    void isHealthyUntilAThreadFailsThenUnreadyForTheQuarantineAfterEachFailure() {
        assertThat(health.problem()).isNull();
        health.failed(new IllegalStateException("poison"));
        assertThat(health.problem()).contains("poison").contains("1 failures");
        now.addAndGet(StreamThreadHealth.QUARANTINE.toNanos() - 1);
        health.failed(new IllegalStateException("again"));
        now.addAndGet(StreamThreadHealth.QUARANTINE.toNanos() - 1);
        assertThat(health.problem()).as("a thread that keeps failing keeps it unready").contains("again")
                .contains("2 failures");
        now.addAndGet(1);
        assertThat(health.problem()).as("healthy once threads ran the quarantine without failing").isNull();
        assertThat(registry.get("bank.stream.thread.failures").counter().count()).isEqualTo(2.0);
    }
}
