package dev.bank.bench;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiFunction;
import java.util.function.IntFunction;

/**
 * HTTP load without a thread per client: {@link HttpConnections}, the bench's own non-blocking client, with a
 * semaphore holding the number of requests in flight at most at {@code concurrency}, so 1000 "clients" cost up to
 * 1000 keep-alive connections but one selector thread. Each response is checked; anything unexpected (a failed
 * exchange, a wrong status or body) counts as an error and is tallied by kind.
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

    private final HttpConnections client;

    RestLoad() {
        this(REQUEST_TIMEOUT);
    }

    /** With another per-request timeout than {@link #REQUEST_TIMEOUT}, for tests. */
    RestLoad(Duration requestTimeout) {
        client = new HttpConnections(requestTimeout);
    }

    /** The closed loop: {@link #run(String, String, int, int, int, IntFunction, BiFunction, Duration)} with rate 0. */
    Run run(String label, String baseUrl, int n, int concurrency, IntFunction<Request> request,
            BiFunction<Integer, Response, String> check, Duration timeout) {
        return run(label, baseUrl, n, concurrency, 0, request, check, timeout);
    }

    /**
     * Sends {@code request.apply(i)} for i in [0, n) to {@code baseUrl} (each path below the URL's own), at most
     * {@code concurrency} at a time, and waits (at most {@code timeout} in all) for every answer. With
     * {@code rate} &gt; 0 request i is due at {@link #dueNanos start + i / rate} (open loop, latency from that
     * time); with 0 each goes as soon as a slot is free (closed loop, latency from its send). {@code check}
     * returns null for a good response or says what is wrong with it; one that throws counts as a wrong answer.
     */
    Run run(String label, String baseUrl, int n, int concurrency, int rate, IntFunction<Request> request,
            BiFunction<Integer, Response, String> check, Duration timeout) {
        if (rate < 0) throw new IllegalArgumentException("rate must be >= 0, was " + rate);
        BaseUrl base = BaseUrl.parse(baseUrl);
        InetSocketAddress address = base.address(); // resolved once, not per request
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
                Request next = request.apply(i);
                byte[] bytes = next.encode(base); // built before its due time: not part of its latency
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
                // runs on the client's selector thread (or here, when the failure is immediate): cheap on purpose
                client.send(address, bytes, next.idempotent(), (response, error) -> {
                    long now = System.nanoTime();
                    latencies.recordNanos(now - from);
                    lastDone.accumulateAndGet(now, Math::max);
                    String problem;
                    String kind;
                    if (error != null) {
                        kind = error.getClass().getSimpleName();
                        problem = kind + ": " + error.getMessage();
                    } else {
                        kind = "HTTP " + response.status();
                        problem = checked(check, index, response);
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

    /** Connections opened so far (each stays open for reuse until the server closes it). */
    int connectionsOpened() {
        return client.opened();
    }

    /** A check that throws is a wrong answer, not a request that never completes. */
    private static String checked(BiFunction<Integer, Response, String> check, int index, Response response) {
        try {
            return check.apply(index, response);
        } catch (RuntimeException e) {
            return "check failed: " + e;
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
