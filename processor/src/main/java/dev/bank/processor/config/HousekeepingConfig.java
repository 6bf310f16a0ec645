package dev.bank.processor.config;

import java.time.Duration;
import java.util.Map;

/**
 * How the processor forgets what it no longer needs (transactionIds, finished transfers, ended holds, decided
 * reviews, history past its retention) and catches up interest, in bounded slices of the stream thread's time
 * (docs/design.md#housekeeping, docs/operations.md#housekeeping).
 *
 * @param interval        how often a task looks for entries that have come due when it is not behind
 *                        ({@code BANK_HOUSEKEEPING_INTERVAL}, default 30 s)
 * @param catchUpInterval how soon the next slice runs while more is due than one slice did
 *                        ({@code BANK_HOUSEKEEPING_CATCH_UP_INTERVAL}, default 100 ms)
 * @param sliceEntries    the most entries one slice deletes, indexes, or accrues interest dates for
 *                        ({@code BANK_HOUSEKEEPING_SLICE_ENTRIES}, default 2000)
 * @param sliceTime       the most stream-thread time one slice takes; it stops at whichever bound comes first
 *                        ({@code BANK_HOUSEKEEPING_SLICE_TIME}, default 20 ms)
 * @param indexGeneration a task whose index was built under another value walks its stores once more to index
 *                        what is not ({@code BANK_HOUSEKEEPING_INDEX_GENERATION}, default "1"; see the upgrade notes)
 */
public record HousekeepingConfig(Duration interval, Duration catchUpInterval, int sliceEntries, Duration sliceTime,
                                 String indexGeneration) {

    public HousekeepingConfig {
        if (interval.isNegative() || interval.isZero() || catchUpInterval.isNegative() || catchUpInterval.isZero()) {
            throw new IllegalArgumentException("BANK_HOUSEKEEPING_INTERVAL and BANK_HOUSEKEEPING_CATCH_UP_INTERVAL"
                    + " must be positive");
        }
        if (sliceEntries < 1) {
            throw new IllegalArgumentException("BANK_HOUSEKEEPING_SLICE_ENTRIES must be at least 1, was " + sliceEntries);
        }
        if (sliceTime.isNegative() || sliceTime.isZero()) {
            throw new IllegalArgumentException("BANK_HOUSEKEEPING_SLICE_TIME must be positive, was " + sliceTime);
        }
        if (indexGeneration == null || indexGeneration.isBlank() || indexGeneration.length() > 64) {
            throw new IllegalArgumentException("BANK_HOUSEKEEPING_INDEX_GENERATION must be 1 to 64 characters");
        }
    }

    public static HousekeepingConfig fromEnv(Map<String, String> env) {
        return new HousekeepingConfig(
                Duration.parse(env.getOrDefault("BANK_HOUSEKEEPING_INTERVAL", "PT30S")),
                Duration.parse(env.getOrDefault("BANK_HOUSEKEEPING_CATCH_UP_INTERVAL", "PT0.1S")),
                Integer.parseInt(env.getOrDefault("BANK_HOUSEKEEPING_SLICE_ENTRIES", "2000")),
                Duration.parse(env.getOrDefault("BANK_HOUSEKEEPING_SLICE_TIME", "PT0.02S")),
                env.getOrDefault("BANK_HOUSEKEEPING_INDEX_GENERATION", "1"));
    }

    public static HousekeepingConfig defaults() {
        return fromEnv(Map.of());
    }

    public HousekeepingConfig withSliceEntries(int entries) {
        return new HousekeepingConfig(interval, catchUpInterval, entries, sliceTime, indexGeneration);
    }

    public HousekeepingConfig withIndexGeneration(String generation) {
        return new HousekeepingConfig(interval, catchUpInterval, sliceEntries, sliceTime, generation);
    }
}
