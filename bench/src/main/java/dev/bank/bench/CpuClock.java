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

    /**
     * The CPU time of the load generator's own threads, to tell the bank's share of {@link #processNanos()} from
     * the bench's: the threads named {@code bench-*} or {@code bank-bench-*} (the HTTP client's pool, the Kafka
     * pipe's producer and reader) and the thread that starts the reading, which sends the load. A thread that ends
     * between two readings loses its CPU from the sum, so the pools that count are sized not to shrink.
     */
    static final class LoadThreads {
        private static final java.lang.management.ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
        private final long sender = Thread.currentThread().getId();
        private final java.util.Map<Long, Long> before;

        private LoadThreads() {
            before = read();
        }

        /** Starts counting from now; null when the JVM cannot measure threads' CPU. */
        static LoadThreads start() {
            return THREADS.isThreadCpuTimeSupported() && THREADS.isThreadCpuTimeEnabled() ? new LoadThreads() : null;
        }

        /** CPU the load generator's threads used since {@link #start()}, or -1 when unknown. */
        static long since(LoadThreads start) {
            if (start == null) return -1;
            long used = 0;
            for (var thread : start.read().entrySet()) {
                used += Math.max(0, thread.getValue() - start.before.getOrDefault(thread.getKey(), 0L));
            }
            return used;
        }

        private java.util.Map<Long, Long> read() {
            java.util.Map<Long, Long> cpu = new java.util.HashMap<>();
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                String name = t.getName();
                if (t.getId() == sender || name.startsWith("bench-") || name.contains("bank-bench-")) {
                    long nanos = THREADS.getThreadCpuTime(t.getId());
                    if (nanos >= 0) cpu.put(t.getId(), nanos);
                }
            }
            return cpu;
        }
    }

    /**
     * The CPU time of the threads whose names start with one of some prefixes (e.g. one service's, when several run in
     * this JVM): GC and JIT, which every part shares, are not in it. A thread that ends between two readings loses
     * its CPU from the sum.
     */
    static final class NamedThreads {
        private static final java.lang.management.ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
        private final java.util.List<String> prefixes;
        private final java.util.Map<Long, Long> before;

        private NamedThreads(java.util.List<String> prefixes) {
            this.prefixes = java.util.List.copyOf(prefixes);
            this.before = read();
        }

        /** Starts counting from now; null when the JVM cannot measure threads' CPU. */
        static NamedThreads start(java.util.List<String> prefixes) {
            return THREADS.isThreadCpuTimeSupported() && THREADS.isThreadCpuTimeEnabled() ? new NamedThreads(prefixes)
                    : null;
        }

        /** CPU those threads used since {@link #start}, or -1 when unknown. */
        static long since(NamedThreads start) {
            if (start == null) return -1;
            return byPrefix(start).values().stream().mapToLong(Long::longValue).sum();
        }

        /** CPU those threads used since {@link #start}, by the prefix that named them (empty when unknown). */
        static java.util.Map<String, Long> byPrefix(NamedThreads start) {
            java.util.Map<String, Long> used = new java.util.LinkedHashMap<>();
            if (start == null) return used;
            start.prefixes.forEach(p -> used.put(p, 0L));
            java.util.Map<Long, String> names = new java.util.HashMap<>();
            for (var thread : start.read(names).entrySet()) {
                long nanos = Math.max(0, thread.getValue() - start.before.getOrDefault(thread.getKey(), 0L));
                String name = names.get(thread.getKey());
                String prefix = start.prefixes.stream().filter(name::startsWith).findFirst().orElseThrow();
                used.merge(prefix, nanos, Long::sum);
            }
            return used;
        }

        private java.util.Map<Long, Long> read() {
            return read(new java.util.HashMap<>());
        }

        private java.util.Map<Long, Long> read(java.util.Map<Long, String> names) {
            java.util.Map<Long, Long> cpu = new java.util.HashMap<>();
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                String name = t.getName();
                if (prefixes.stream().anyMatch(name::startsWith)) {
                    long nanos = THREADS.getThreadCpuTime(t.getId());
                    if (nanos >= 0) {
                        cpu.put(t.getId(), nanos);
                        names.put(t.getId(), name);
                    }
                }
            }
            return cpu;
        }
    }

    /** CPU used between two {@link #processNanos()} readings, or -1 when either is unknown. */
    static long between(long before, long after) {
        return before < 0 || after < 0 ? -1 : Math.max(0, after - before);
    }
}
