package dev.bank.bench;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiFunction;
import java.util.function.IntFunction;

/**
 * HTTP load without a thread per client: {@link HttpClient#sendAsync} with a semaphore holding the number of
 * requests in flight at most at {@code concurrency}, so 1000 "clients" cost up to 1000 connections but a handful
 * of threads. Each response is checked; anything unexpected (a failed exchange, a wrong status or body) counts
 * as an error and is tallied by kind.
 *
 * <p>Two ways to pace it. <b>Closed loop</b> ({@code rate} 0): a request is sent as soon as a slot is free, so
 * {@code concurrency} requests are always in flight and, by Little's law, latency is just concurrency /
 * throughput. <b>Open loop</b> ({@code rate} &gt; 0): request i is due at start + i / rate whatever the answers
 * do; it waits for a free slot if all are busy, and its latency counts from when it was <em>due</em>, not when it
 * was sent (the coordinated-omission correction of wrk2), so a server that falls behind shows up in the
 * percentiles instead of silently slowing the load down.
 */
final class RestLoad implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RestLoad.class);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    /**
     * What one load run measured; {@code elapsedNanos} is start (the first send, or request 0's due time) → last
     * response, {@code rate} the offered requests/s (0 for a closed loop), {@code cpuNanos} the process CPU used
     * from start until every request was answered (or the deadline), -1 when unknown.
     */
    record Run(int n, int rate, int completed, long elapsedNanos, long cpuNanos, Latencies latencies, long errors,
               Map<String, Long> errorKinds, List<String> examples) {

        List<String> failures() {
            List<String> f = new ArrayList<>();
            if (completed < n) f.add((n - completed) + " of " + n + " requests never completed");
            if (errors > 0) f.add(errors + " requests failed " + errorKinds + ", e.g. " + examples);
            return f;
        }

        /** Completed requests per second, start to last response. */
        double throughput() {
            return completed / (Math.max(elapsedNanos, 1) / 1e9);
        }
    }

    private final ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "bench-http");
        t.setDaemon(true);
        return t;
    });
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .executor(executor)
            .build();

    /** The closed loop: {@link #run(String, int, int, int, IntFunction, BiFunction, Duration)} with rate 0. */
    Run run(String label, int n, int concurrency, IntFunction<HttpRequest> request,
            BiFunction<Integer, HttpResponse<String>, String> check, Duration timeout) {
        return run(label, n, concurrency, 0, request, check, timeout);
    }

    /**
     * Sends {@code request.apply(i)} for i in [0, n), at most {@code concurrency} at a time, and waits (at most
     * {@code timeout} in all) for every answer. With {@code rate} &gt; 0 request i is due at
     * {@link #dueNanos start + i / rate} (open loop, latency from that time); with 0 each goes as soon as a slot
     * is free (closed loop, latency from its send). {@code check} returns null for a good response or says
     * what is wrong with it.
     */
    Run run(String label, int n, int concurrency, int rate, IntFunction<HttpRequest> request,
            BiFunction<Integer, HttpResponse<String>, String> check, Duration timeout) {
        if (rate < 0) throw new IllegalArgumentException("rate must be >= 0, was " + rate);
        long deadline = System.nanoTime() + timeout.toNanos();
        Semaphore inFlight = new Semaphore(concurrency);
        CountDownLatch done = new CountDownLatch(n);
        Latencies latencies = new Latencies();
        AtomicLong lastDone = new AtomicLong();
        AtomicInteger completed = new AtomicInteger();
        LongAdder errors = new LongAdder();
        Map<String, LongAdder> kinds = new ConcurrentHashMap<>();
        List<String> examples = Collections.synchronizedList(new ArrayList<>());
        long cpuBefore = CpuClock.processNanos();
        long start = System.nanoTime();
        long cpu;
        try {
            for (int i = 0; i < n; i++) {
                HttpRequest next = request.apply(i); // built before its due time: not part of its latency
                long due = rate > 0 ? dueNanos(start, i, rate) : 0;
                if (rate > 0 && !parkUntil(due, deadline)) {
                    log.warn("{}: out of time with {} of {} requests sent", label, i, n);
                    break;
                }
                if (!inFlight.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    log.warn("{}: out of time with {} of {} requests sent", label, i, n);
                    break;
                }
                int index = i;
                long from = rate > 0 ? due : System.nanoTime();
                client.sendAsync(next, HttpResponse.BodyHandlers.ofString())
                        .whenComplete((response, error) -> {
                            long now = System.nanoTime();
                            latencies.recordNanos(now - from);
                            lastDone.accumulateAndGet(now, Math::max);
                            String problem;
                            String kind;
                            if (error != null) {
                                Throwable cause = error.getCause() != null ? error.getCause() : error;
                                kind = cause.getClass().getSimpleName();
                                problem = kind + ": " + cause.getMessage();
                            } else {
                                problem = check.apply(index, response);
                                kind = "HTTP " + response.statusCode();
                            }
                            if (problem != null) {
                                errors.increment();
                                kinds.computeIfAbsent(kind, k -> new LongAdder()).increment();
                                if (examples.size() < 3) examples.add(problem);
                            }
                            completed.incrementAndGet();
                            inFlight.release();
                            done.countDown();
                        });
            }
            if (!done.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                log.warn("{}: {} of {} requests unanswered within {}", label, done.getCount(), n, timeout);
            }
            cpu = CpuClock.between(cpuBefore, CpuClock.processNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(label + " interrupted", e);
        }
        Map<String, Long> errorKinds = new TreeMap<>();
        kinds.forEach((k, v) -> errorKinds.put(k, v.sum()));
        long end = completed.get() == 0 ? System.nanoTime() : lastDone.get();
        return new Run(n, rate, completed.get(), end - start, cpu, latencies, errors.sum(), errorKinds,
                List.copyOf(examples));
    }

    /**
     * When request {@code i} of an open loop is due: {@code start + i / rate} seconds, computed from the start
     * every time (never by adding an interval to the previous one), so the schedule cannot drift.
     */
    static long dueNanos(long start, int i, int rate) {
        return start + i * 1_000_000_000L / rate;
    }

    /**
     * Parks the sending thread until {@code due} (no busy spin: the load generator shares the machine with
     * what it measures); false when the deadline comes first. A late thread returns at once, so requests that
     * fell behind go out back to back until the schedule is caught up.
     */
    private static boolean parkUntil(long due, long deadline) throws InterruptedException {
        if (due - deadline > 0) return false;
        long wait;
        while ((wait = due - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
            if (Thread.interrupted()) throw new InterruptedException();
        }
        return true;
    }

    static HttpRequest.Builder request(String url) {
        return HttpRequest.newBuilder(java.net.URI.create(url)).timeout(REQUEST_TIMEOUT);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
