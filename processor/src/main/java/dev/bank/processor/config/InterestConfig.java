package dev.bank.processor.config;

import dev.bank.schemas.InterestRates;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Locale;
import java.util.Map;

/**
 * Interest and history settings.
 *
 * @param defaultRate      annual rate of accounts opened without one ({@code BANK_INTEREST_DEFAULT_RATE}, default 0)
 * @param zone             the business day's time zone: a day's end-of-day balance and the months of statements are
 *                         taken in it ({@code BANK_BUSINESS_ZONE}, default UTC)
 * @param posting          DAILY posts each day's interest; MONTHLY accrues and posts on the month's last day
 * @param historyRetention how long the history store keeps ledger entries ({@code BANK_HISTORY_RETENTION})
 * @param tickInterval     how often each task looks at the wall clock for business days that have ended
 * @param eventsKept       how many of each account's most recent events the account events store keeps, for live
 *                         streams that resume ({@code BANK_EVENTS_KEPT}); older ones are on the events topic only
 */
public record InterestConfig(BigDecimal defaultRate, ZoneId zone, Posting posting, Duration historyRetention,
                             Duration tickInterval, int eventsKept) {

    /** Settings without a choice of how many events are kept: the default. */
    public InterestConfig(BigDecimal defaultRate, ZoneId zone, Posting posting, Duration historyRetention,
                          Duration tickInterval) {
        this(defaultRate, zone, posting, historyRetention, tickInterval, DEFAULT_EVENTS_KEPT);
    }

    public static final int DEFAULT_EVENTS_KEPT = 1_000;

    public InterestConfig {
        if (eventsKept < 1) throw new IllegalArgumentException("BANK_EVENTS_KEPT must be at least 1, was " + eventsKept);
    }

    public enum Posting { DAILY, MONTHLY }

    public static InterestConfig fromEnv(Map<String, String> env) {
        return new InterestConfig(
                InterestRates.parse(env.getOrDefault("BANK_INTEREST_DEFAULT_RATE", "0")),
                ZoneId.of(env.getOrDefault("BANK_BUSINESS_ZONE", "UTC")),
                Posting.valueOf(env.getOrDefault("BANK_INTEREST_POSTING", "DAILY").toUpperCase(Locale.ROOT)),
                Duration.parse(env.getOrDefault("BANK_HISTORY_RETENTION", "P400D")),
                Duration.parse(env.getOrDefault("BANK_INTEREST_TICK_INTERVAL", "PT1M")),
                Integer.parseInt(env.getOrDefault("BANK_EVENTS_KEPT", String.valueOf(DEFAULT_EVENTS_KEPT))));
    }

    public static InterestConfig defaults() {
        return fromEnv(Map.of());
    }
}
