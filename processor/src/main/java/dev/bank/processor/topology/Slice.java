package dev.bank.processor.topology;

import dev.bank.processor.config.HousekeepingConfig;

/**
 * The budget of one slice of housekeeping on the stream thread: a number of entries and a time, whichever runs out
 * first ({@link HousekeepingConfig#sliceEntries()}, {@link HousekeepingConfig#sliceTime()}). The time is checked
 * before each entry, so a slice overruns it by at most one entry's work.
 */
final class Slice {
    private final long deadline;
    private int left;
    private int used;

    Slice(HousekeepingConfig config) {
        this.deadline = System.nanoTime() + config.sliceTime().toNanos();
        this.left = config.sliceEntries();
    }

    /** Whether the slice has no budget left. */
    boolean spent() {
        return left <= 0 || System.nanoTime() - deadline >= 0;
    }

    /** How many entries the slice may still do. */
    int left() {
        return Math.max(0, left);
    }

    void use(int entries) {
        left -= entries;
        used += entries;
    }

    int used() {
        return used;
    }
}
