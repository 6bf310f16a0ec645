package dev.bank.notifier;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The retry schedule: doubling from the base, capped, each wait between half and all of its step. */
class BackoffTest {
    private final Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofHours(1));

    @Test
    void doublesFromTheBaseUpToTheCap() {
        assertThat(backoff.delay(1, 0.999999)).isBetween(Duration.ofMillis(999), Duration.ofSeconds(1));
        assertThat(backoff.delay(1, 0)).isEqualTo(Duration.ofMillis(500));
        assertThat(backoff.delay(2, 0)).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.delay(5, 0)).isEqualTo(Duration.ofSeconds(8));
        assertThat(backoff.delay(13, 0)).isEqualTo(Duration.ofMinutes(30));
        assertThat(backoff.delay(100, 0)).isEqualTo(Duration.ofMinutes(30));
        // the default schedule (12 attempts): 1 + 2 + ... + 1024 s, some 34 minutes of waiting at most
        assertThat(backoff.longest(12)).isBetween(Duration.ofSeconds(2046), Duration.ofSeconds(2047));
    }

    @Property
    void everyWaitIsBetweenHalfAndAllOfItsCappedStep(@ForAll @IntRange(min = 1, max = 1000) int failures,
                                                     @ForAll @DoubleRange(min = 0, max = 1, maxIncluded = false) double random) {
        long step = Math.min(Duration.ofHours(1).toMillis(), failures > 40 ? Long.MAX_VALUE : 1000L << (failures - 1));
        Duration wait = backoff.delay(failures, random);
        assertThat(wait.toMillis()).isBetween(step / 2, step);
        if (failures > 1) assertThat(backoff.delay(failures, random)).isGreaterThanOrEqualTo(backoff.delay(failures - 1, random));
    }
}
