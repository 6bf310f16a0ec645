package dev.bank.observability;

/**
 * Keeps {@link java.util.concurrent.CompletableFuture}'s default async executor a thread pool on small machines.
 * With fewer than two common-pool threads (Java sizes the pool at cores − 1, so 1 on a 2-core host) every
 * {@code *Async} stage without an executor runs on a brand-new thread, and {@code java.net.http} completes every
 * response that way: the benchmark saw about one new thread started per request, and rest-sync throughput rose
 * markedly once the pool had two threads (docs/performance.md).
 */
public final class AsyncPool {
    static final String PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

    private AsyncPool() {}

    /**
     * Call first in {@code main}, before anything touches the common pool; an explicit
     * {@code -Djava.util.concurrent.ForkJoinPool.common.parallelism} is left alone.
     */
    public static void ensureThreads() {
        if (System.getProperty(PARALLELISM) == null) {
            System.setProperty(PARALLELISM, String.valueOf(Math.max(2, Runtime.getRuntime().availableProcessors() - 1)));
        }
    }
}
