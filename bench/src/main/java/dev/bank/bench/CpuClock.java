package dev.bank.bench;

import java.lang.management.ManagementFactory;

/**
 * The CPU time this whole JVM has used so far (every thread, GC and JIT included), to price a scenario's timed
 * part in CPU per operation. With the in-process bank that is the broker, processor, gateway and load
 * generator together, a cost that other processes on the machine do not distort the way they distort
 * wall-clock throughput. On Linux the JDK reads it from {@code times()}, in clock ticks (10 ms), which is
 * negligible against a timed part of seconds.
 */
final class CpuClock {
    private static final com.sun.management.OperatingSystemMXBean OS =
            ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os ? os : null;

    private CpuClock() {
    }

    /** Nanoseconds of CPU used by this process so far, or -1 when the JVM cannot say. */
    static long processNanos() {
        return OS == null ? -1 : OS.getProcessCpuTime();
    }

    /** CPU used between two {@link #processNanos()} readings, or -1 when either is unknown. */
    static long between(long before, long after) {
        return before < 0 || after < 0 ? -1 : Math.max(0, after - before);
    }
}
