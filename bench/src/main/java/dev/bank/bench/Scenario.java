package dev.bank.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The scenarios, in the order they run (the baseline first, so every other one has its ratio). */
public enum Scenario {
    /** The raw Kafka pipe: idempotent producer (acks=all) to read_committed consumer, same records. */
    BASELINE,
    /**
     * The raw pipe through a minimal exactly-once Kafka Streams app (source → forward → sink, no state): the
     * ceiling of any exactly-once topology on this broker.
     */
    STREAMS_FLOOR,
    /** Commands produced straight to the commands topic over many accounts, timed until every outcome is read. */
    KAFKA_DIRECT,
    /** The same on one account: one partition, one task. */
    HOT_ACCOUNT,
    /**
     * Like {@link #KAFKA_DIRECT}, with card-payment holds in the mix: placed, then captured (in part, in full) or
     * voided, every one ended within the run ({@link HoldMix}).
     */
    HOLDS_MIX,
    /** The same mix on one account, with many holds active at once (a rolling window under the account's cap). */
    HOT_ACCOUNT_HOLDS,
    /**
     * The fraud rules: their precision and recall on labelled synthetic activity ({@link FraudWorkload}), and what they
     * cost on kafka-direct's workload against the rules off, alternated in the same run ({@link FraudScenario}).
     */
    FRAUD,
    /** {@code POST /transaction} from many concurrent clients, each waiting for its outcome. */
    REST_SYNC,
    /** {@code GET /balance/{accountId}} under the same concurrency. */
    REST_BALANCE,
    /**
     * rest-sync's workload while {@code BANK_BENCH_SUBSCRIBERS} live event streams follow its accounts on the same
     * gateway: how long a command's event takes to reach its subscribers ({@link LiveEventsScenario}).
     */
    LIVE_EVENTS,
    /** A bearer token's full check (ES256 signature and claims), as the first request with it pays. */
    AUTH_VERIFY,
    /** The same token checked again, as every later request with it pays (the gateway's cache). */
    AUTH_CACHED;

    /** {@code kafka-direct} for {@link #KAFKA_DIRECT}: the name used in configuration, the table and the JSON. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public boolean rest() {
        return this == REST_SYNC || this == REST_BALANCE || this == LIVE_EVENTS;
    }

    /** Every command on one account. */
    boolean hot() {
        return this == HOT_ACCOUNT || this == HOT_ACCOUNT_HOLDS;
    }

    /** Holds in the mix ({@link HoldMix}) instead of credits and debits only. */
    boolean holds() {
        return this == HOLDS_MIX || this == HOT_ACCOUNT_HOLDS;
    }

    static Scenario byName(String name) {
        for (Scenario s : values()) {
            if (s.label().equalsIgnoreCase(name) || s.name().equalsIgnoreCase(name)) return s;
        }
        throw new IllegalArgumentException("unknown scenario '" + name + "'; known: "
                + Arrays.stream(values()).map(Scenario::label).collect(Collectors.joining(", ")));
    }
}
