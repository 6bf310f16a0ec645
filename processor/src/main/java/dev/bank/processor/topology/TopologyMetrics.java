package dev.bank.processor.topology;

import dev.bank.schemas.EntryType;
import dev.bank.schemas.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * What the topology counts for operators: outcomes by command type, status and rejection reason, postings by
 * type, and dead letters by reason. Counters are not part of the Kafka transaction: a task that aborts and
 * reprocesses counts its records again, so these are rates to alert on, not figures to reconcile with.
 */
public final class TopologyMetrics {
    private final MeterRegistry registry;

    public TopologyMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void outcome(Outcome outcome) {
        Counter.builder("bank.outcomes")
                .description("Outcomes published, by command type, status and rejection reason")
                .tag("type", outcome.type().name())
                .tag("status", outcome.status().name())
                .tag("reason", outcome.reason() == null ? "none" : outcome.reason().name())
                .tag("replayed", String.valueOf(outcome.replayed()))
                .register(registry).increment();
    }

    void posting(EntryType type) {
        Counter.builder("bank.postings").description("Ledger entries written, by type")
                .tag("type", type.name()).register(registry).increment();
    }

    void deadLetter(DeadLetter reason) {
        Counter.builder("bank.dead.letters").description("Records sent to the dead-letter topic, by reason")
                .tag("reason", reason.name()).register(registry).increment();
    }
}
