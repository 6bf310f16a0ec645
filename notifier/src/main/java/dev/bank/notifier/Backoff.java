package dev.bank.notifier;

import java.time.Duration;

/**
 * How long to wait before the next attempt: exponential, {@code base × 2^(failures-1)} capped at {@code max}, with
 * "equal jitter" (a random point between half and all of it), so endpoints that failed together are not retried in
 * lockstep. A pure function of the failures so far and a random number, so the schedule is testable.
 */
public record Backoff(Duration base, Duration max) {

    /**
     * @param failures attempts failed so far (1 after the first)
     * @param random   uniform in [0, 1)
     */
    public Duration delay(int failures, double random) {
        if (failures < 1) throw new IllegalArgumentException("failures must be at least 1");
        long baseMillis = base.toMillis();
        long ceiling = max.toMillis();
        long exponential = failures - 1 >= 62 || baseMillis > (ceiling >> Math.min(62, failures - 1))
                ? ceiling : Math.min(ceiling, baseMillis << (failures - 1));
        long half = exponential / 2;
        return Duration.ofMillis(half + (long) ((exponential - half) * random));
    }

    /** The longest the whole schedule of {@code attempts} attempts waits between them (every jitter at its top). */
    public Duration longest(int attempts) {
        Duration total = Duration.ZERO;
        for (int failures = 1; failures < attempts; failures++) total = total.plus(delay(failures, 1.0 - 1e-12));
        return total;
    }
}
