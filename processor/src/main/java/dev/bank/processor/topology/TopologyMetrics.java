package dev.bank.processor.topology;

import dev.bank.schemas.CommandType;
import dev.bank.processor.fraud.FraudRulesEngine;
import dev.bank.schemas.EntryType;
import dev.bank.schemas.FraudDecision;
import dev.bank.schemas.FraudFinding;
import dev.bank.schemas.FraudReview;
import dev.bank.schemas.FraudRule;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.OutcomeStatus;
import dev.bank.schemas.RejectionReason;
import dev.bank.schemas.WireHeaders;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the topology counts for operators: outcomes by command type, status and rejection reason, postings by
 * type, and dead letters by reason. Counters are not part of the Kafka transaction: a task that aborts and
 * reprocesses counts its records again, so these are rates to alert on, not figures to reconcile with.
 */
public final class TopologyMetrics {
    private final MeterRegistry registry;
    // Looking a counter up by name and tags builds and sorts a tag list on every call; these maps do it once per
    // combination, as the stream thread counts several times per command.
    private final Map<OutcomeKey, Counter> outcomes = new ConcurrentHashMap<>();
    private final Map<EntryType, Counter> postings = new ConcurrentHashMap<>();
    private final Map<DeadLetter, Counter> deadLetters = new ConcurrentHashMap<>();
    private final Map<WireHeaders.ReplyRefusal, Counter> repliesSkipped = new ConcurrentHashMap<>();

    private final Map<FraudKey, Counter> fraudHits = new ConcurrentHashMap<>();
    private final Map<FraudDecision, Counter> fraudDecisions = new ConcurrentHashMap<>();
    private final Map<FraudKey, Counter> reviewsEnded = new ConcurrentHashMap<>();

    private record FraudKey(FraudRule rule, String outcome) {}

    private record OutcomeKey(CommandType type, OutcomeStatus status, RejectionReason reason, boolean replayed) {}

    private final Counter rerouted;
    private final Map<TimeIndex.Kind, Counter> purged = new ConcurrentHashMap<>();
    private final Map<String, Timer> slices = new ConcurrentHashMap<>();
    private final Counter indexed;
    /** Per task: how far past due the oldest entry still to purge is, in millis (0 when housekeeping is not behind). */
    private final Map<String, Long> behind = new ConcurrentHashMap<>();

    public TopologyMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.rerouted = Counter.builder("bank.commands.rerouted")
                .description("Commands produced to a partition their key does not hash to, forwarded to the key's own")
                .register(registry);
        this.indexed = Counter.builder("bank.housekeeping.indexed")
                .description("Entries written before the time index, filed by the one-time walk over the stores")
                .register(registry);
        Gauge.builder("bank.housekeeping.behind.seconds", behind,
                        b -> b.values().stream().mapToLong(Long::longValue).max().orElse(0) / 1000.0)
                .description("How long past its retention the oldest entry still waiting to be purged is (0: caught up)")
                .register(registry);
    }

    /** Entries housekeeping deleted, by what they were (transactionIds, transfers, holds, reviews, history). */
    void purged(TimeIndex.Kind kind, int count) {
        if (count == 0) return;
        purged.computeIfAbsent(kind, k -> Counter.builder("bank.housekeeping.purged")
                .description("Entries past their retention deleted, by kind")
                .tag("kind", k.name().toLowerCase(java.util.Locale.ROOT)).register(registry)).increment(count);
    }

    void indexed(int count) {
        if (count > 0) indexed.increment(count);
    }

    /** One slice of housekeeping on the stream thread: {@code purge} (wall clock) or {@code interest} (a tick). */
    void housekeepingSlice(String work, long nanos) {
        slices.computeIfAbsent(work, w -> Timer.builder("bank.housekeeping.slice")
                .description("Stream-thread time of one housekeeping slice (its max is the longest pause it caused)")
                .tag("work", w).register(registry)).record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    void behind(String task, long millis) {
        behind.put(task, millis);
    }

    void outcome(Outcome outcome) {
        OutcomeKey key = new OutcomeKey(outcome.type(), outcome.status(), outcome.reason(), outcome.replayed());
        outcomes.computeIfAbsent(key, k -> Counter.builder("bank.outcomes")
                .description("Outcomes published, by command type, status and rejection reason")
                .tag("type", k.type().name())
                .tag("status", k.status().name())
                .tag("reason", k.reason() == null ? "none" : k.reason().name())
                .tag("replayed", String.valueOf(k.replayed()))
                .register(registry)).increment();
    }

    void posting(EntryType type) {
        postings.computeIfAbsent(type, t -> Counter.builder("bank.postings")
                .description("Ledger entries written, by type")
                .tag("type", t.name()).register(registry)).increment();
    }

    /** A command forwarded from a partition its key does not hash to, to the key's own (the rerouted topic). */
    void rerouted() {
        rerouted.increment();
    }

    /**
     * A payment the fraud rules checked: its decision, and each rule it triggered with that decision (a rule can
     * trigger without stopping the payment, when its score alone is under the review score).
     */
    void fraudDecision(FraudRulesEngine.Verdict verdict) {
        fraudDecisions.computeIfAbsent(verdict.decision(), d -> Counter.builder("bank.fraud.decisions")
                .description("Payments the fraud rules checked, by decision")
                .tag("decision", d.name()).register(registry)).increment();
        for (FraudFinding f : verdict.findings()) {
            fraudHits.computeIfAbsent(new FraudKey(f.rule(), verdict.decision().name()), k -> Counter.builder(
                    "bank.fraud.rule.hits").description("Fraud rules triggered, by rule and the payment's decision")
                    .tag("rule", k.rule().name()).tag("decision", k.outcome()).register(registry)).increment();
        }
    }

    /**
     * A fraud review ended, counted for each rule that sent it there: APPROVED reviews are the rules' false positives
     * (as far as the admins judged), REJECTED the true ones, EXPIRED nobody looked at.
     */
    void reviewEnded(FraudReview review) {
        for (FraudFinding f : review.findings()) {
            reviewsEnded.computeIfAbsent(new FraudKey(f.rule(), review.status().name()), k -> Counter.builder(
                    "bank.fraud.reviews.ended").description("Fraud reviews ended, by rule and how they ended")
                    .tag("rule", k.rule().name()).tag("status", k.outcome()).register(registry)).increment();
        }
    }

    /**
     * A command named a reply partition that is not one (repeated, not a number, beyond the replies topic): its outcome
     * is on the results topic but not replied. A gateway never sends such a header; someone else wrote it.
     */
    void replySkipped(WireHeaders.ReplyRefusal reason) {
        repliesSkipped.computeIfAbsent(reason, r -> Counter.builder("bank.replies.skipped")
                .description("Outcomes not replied because their command's reply-partition header was invalid")
                .tag("reason", r.name()).register(registry)).increment();
    }

    void deadLetter(DeadLetter reason) {
        deadLetters.computeIfAbsent(reason, r -> Counter.builder("bank.dead.letters")
                .description("Records sent to the dead-letter topic, by reason")
                .tag("reason", r.name()).register(registry)).increment();
    }
}
