package dev.bank.gateway.config;

import java.time.Duration;
import java.util.Map;

/**
 * Reads sent straight to the processor that owns the account (docs/design.md#how-a-read-finds-its-owner): the
 * gateway keeps a table of which processor holds which partition, learned from the processors' metadata, and asks
 * the owner; without a usable table it asks the configured processors, which forward.
 *
 * @param enabled  whether reads go to the owner ({@code BANK_GATEWAY_DIRECT_READS}, default true); false: every read
 *                 goes to the configured processors, which forward about half of them (as before)
 * @param refresh  how often the table is asked for again ({@code BANK_GATEWAY_OWNERS_REFRESH}, default PT2S); a read
 *                 that misses its owner asks at once, at most every {@link #MIN_REFRESH_GAP}
 * @param maxAge   a table not refreshed for this long is not used ({@code BANK_GATEWAY_OWNERS_MAX_AGE}, default
 *                 PT10S): with no processor answering the metadata, reads go to the configured processors again
 */
public record DirectReadsConfig(boolean enabled, Duration refresh, Duration maxAge) {
    /** Refreshes a miss causes come at most this often, whatever the read rate. */
    public static final Duration MIN_REFRESH_GAP = Duration.ofMillis(250);

    public DirectReadsConfig {
        if (refresh.compareTo(MIN_REFRESH_GAP) < 0 || refresh.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException("BANK_GATEWAY_OWNERS_REFRESH must be from " + MIN_REFRESH_GAP
                    + " to PT5M, was " + refresh);
        }
        if (maxAge.compareTo(refresh) <= 0) {
            throw new IllegalArgumentException("BANK_GATEWAY_OWNERS_MAX_AGE must be longer than "
                    + "BANK_GATEWAY_OWNERS_REFRESH (" + refresh + "), was " + maxAge);
        }
    }

    /** Every read to the configured processors, as before direct reads. */
    public static DirectReadsConfig disabled() {
        return new DirectReadsConfig(false, Duration.ofSeconds(2), Duration.ofSeconds(10));
    }

    public static DirectReadsConfig fromEnv(Map<String, String> env) {
        String enabled = env.getOrDefault("BANK_GATEWAY_DIRECT_READS", "true").trim();
        if (!enabled.equals("true") && !enabled.equals("false")) {
            throw new IllegalArgumentException("BANK_GATEWAY_DIRECT_READS must be true or false, was " + enabled);
        }
        return new DirectReadsConfig(Boolean.parseBoolean(enabled),
                Duration.parse(env.getOrDefault("BANK_GATEWAY_OWNERS_REFRESH", "PT2S")),
                Duration.parse(env.getOrDefault("BANK_GATEWAY_OWNERS_MAX_AGE", "PT10S")));
    }
}
