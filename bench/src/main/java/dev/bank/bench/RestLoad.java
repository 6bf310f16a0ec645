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
import java.util.function.BiFunction;
import java.util.function.IntFunction;

/**
 * Closed-loop HTTP load without a thread per client: {@link HttpClient#sendAsync} with a semaphore holding
 * the number of requests in flight at {@code concurrency}, so 1000 "clients" cost 1000 connections but a
 * handful of threads. Each response is checked; anything unexpected (a failed exchange, a wrong status or
 * body) counts as an error and is tallied by kind.
 */
final class RestLoad implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RestLoad.class);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    /** What one load run measured; {@code elapsedNanos} is first send → last response. */
    record Run(int n, int completed, long elapsedNanos, Latencies latencies, long errors,
               Map<String, Long> errorKinds, List<String> examples) {

        List<String> failures() {
            List<String> f = new ArrayList<>();
            if (completed < n) f.add((n - completed) + " of " + n + " requests never completed");
            if (errors > 0) f.add(errors + " requests failed " + errorKinds + ", e.g. " + examples);
            return f;
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

    /**
     * Sends {@code request.apply(i)} for i in [0, n), at most {@code concurrency} at a time, and waits (at most
     * {@code timeout} in all) for every answer. {@code check} returns null for a good response or says what is
     * wrong with it.
     */
    Run run(String label, int n, int concurrency, IntFunction<HttpRequest> request,
            BiFunction<Integer, HttpResponse<String>, String> check, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Semaphore inFlight = new Semaphore(concurrency);
        CountDownLatch done = new CountDownLatch(n);
        Latencies latencies = new Latencies();
        AtomicLong lastDone = new AtomicLong();
        AtomicInteger completed = new AtomicInteger();
        LongAdder errors = new LongAdder();
        Map<String, LongAdder> kinds = new ConcurrentHashMap<>();
        List<String> examples = Collections.synchronizedList(new ArrayList<>());
        long first = System.nanoTime();
        try {
            for (int i = 0; i < n; i++) {
                if (!inFlight.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    log.warn("{}: out of time with {} of {} requests sent", label, i, n);
                    break;
                }
                int index = i;
                long sent = System.nanoTime();
                client.sendAsync(request.apply(i), HttpResponse.BodyHandlers.ofString())
                        .whenComplete((response, error) -> {
                            long now = System.nanoTime();
                            latencies.recordNanos(now - sent);
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
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(label + " interrupted", e);
        }
        Map<String, Long> errorKinds = new TreeMap<>();
        kinds.forEach((k, v) -> errorKinds.put(k, v.sum()));
        long end = completed.get() == 0 ? System.nanoTime() : lastDone.get();
        return new Run(n, completed.get(), end - first, latencies, errors.sum(), errorKinds, List.copyOf(examples));
    }

    static HttpRequest.Builder request(String url) {
        return HttpRequest.newBuilder(java.net.URI.create(url)).timeout(REQUEST_TIMEOUT);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
