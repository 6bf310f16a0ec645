package dev.bank.processor.query;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Which partitions' local copies (standbys, or tasks arriving here and still restoring) have every committed write,
 * looked up for the reads that need it and shared between them. A lookup costs broker round trips and, while a task
 * moves, every read of its accounts needs one: one lookup per read would queue up behind each other under load and
 * turn into refusals exactly when the copies are needed.
 * <p>
 * So one lookup runs at a time, and a read waits for the first one that <em>starts after the read arrived</em>: every
 * write acknowledged before the read is then in the offsets that lookup sees, so an answer it allows never misses a
 * write its client was told succeeded. All reads arriving while a lookup runs share the next one. A read that gets
 * no verdict within the time-out (brokers slow or unreachable) is told "no copy" and answers 503 as before.
 */
final class CaughtUpCopies {
    /** The partitions whose every local store has every committed write, by the brokers' offsets now. */
    interface Lookup {
        Set<Integer> caughtUp() throws Exception;
    }

    private final Lookup lookup;
    private final Executor executor;
    private final Duration timeout;
    /** The lookup under way, if any: reads arriving now wait for the next one. */
    private CompletableFuture<Set<Integer>> running;
    /** The next lookup, shared by every read that arrived since {@link #running} started; null when none waits. */
    private CompletableFuture<Set<Integer>> next;

    CaughtUpCopies(Lookup lookup, Executor executor, Duration timeout) {
        this.lookup = lookup;
        this.executor = executor;
        this.timeout = timeout;
    }

    /** Whether this instance's copy of {@code partition} has every write committed before this call. */
    boolean hasEveryCommittedWrite(int partition) {
        CompletableFuture<Set<Integer>> verdict;
        synchronized (this) {
            if (next == null) next = new CompletableFuture<>();
            verdict = next;
            if (running == null) startNext();
        }
        try {
            return verdict.get(timeout.toMillis(), TimeUnit.MILLISECONDS).contains(partition);
        } catch (TimeoutException | ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Starts the waiting lookup; called holding the lock, with {@link #next} set and nothing running. */
    private void startNext() {
        CompletableFuture<Set<Integer>> batch = next;
        next = null;
        running = batch;
        try {
            executor.execute(() -> {
                try {
                    batch.complete(Set.copyOf(lookup.caughtUp()));
                } catch (Throwable e) { // not started, shutting down, brokers unreachable: no verdict, so no copy
                    batch.completeExceptionally(e);
                } finally {
                    synchronized (this) {
                        running = null;
                        if (next != null) startNext();
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            running = null;
            batch.completeExceptionally(e);
        }
    }
}
