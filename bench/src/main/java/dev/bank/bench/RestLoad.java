package dev.bank.bench;

import org.eclipse.jetty.client.BufferingResponseListener;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.util.SocketAddressResolver;
import org.eclipse.jetty.util.thread.Invocable.InvocationType;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.nio.charset.StandardCharsets;
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
 * HTTP load without a thread per client: Jetty's asynchronous HTTP client (the one the services already use to ask
 * each other, and that took a fraction of the JDK client's CPU there; docs/performance.md), with a semaphore
 * holding the number of requests in flight at most at {@code concurrency}, so 1000 "clients" cost up to 1000
 * keep-alive connections but one selector thread. Each response is checked; anything unexpected (a failed
 * exchange, a wrong status or body) counts as an error and is tallied by kind.
 *
 * <p>Two ways to pace it. <b>Closed loop</b> ({@code rate} 0): a request is sent as soon as a slot is free, so
 * {@code concurrency} requests are always in flight and, by Little's law, latency is just concurrency /
 * throughput. <b>Open loop</b> ({@code rate} &gt; 0): request i is due at start + i / rate whatever the answers
 * do; it waits for a free slot if all are busy, and its latency counts from when it was <em>due</em>, not when it
 * was sent (the coordinated-omission correction of wrk2), so a server that falls behind shows up in the
 * percentiles instead of silently slowing the load down.
 *
 * <p>The client is set up to take as little of the shared machine as it can: one selector thread that also runs
 * each response's callback (declared non-blocking, so Jetty hands nothing to another thread; the callbacks only
 * record and check), a pool of a few threads for the rest, no cookies, redirects, authentication, compression or
 * User-Agent. A connection carries one request at a time and is reused until the server answers
 * {@code Connection: close} or it has been idle for {@link #IDLE_CONNECTION}. At most {@code maxInFlight} are
 * open to one address, so a request waits for a free slot of the semaphore, never for a connection. Every request
 * ends in exactly one callback: a response, or an error (refused, reset, closed early, malformed, a body over
 * {@link #MAX_BODY_BYTES}, or no complete answer within the request timeout, counted from the send). No request is
 * sent twice: a failure is reported, never retried.
 */
final class RestLoad implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RestLoad.class);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    /** The largest answer read; the bench's answers are a few hundred bytes. A larger one is an error. */
    static final int MAX_BODY_BYTES = 1024 * 1024;
    /**
     * How long a connection may stay idle before the client closes it: less than the 30 s after which the bank's
     * servers (Jetty's default) close one, so that it is the client that closes an idle connection, never a server
     * just as a request goes out on it. While a request is in flight only its own timeout applies.
     */
    static final Duration IDLE_CONNECTION = Duration.ofSeconds(20);
    /** How much of a failure's message an example keeps: Jetty's end in a dump of the connection's state. */
    static final int MAX_MESSAGE_CHARS = 160;
    /** The selector thread and a spare or two: callbacks run on the selector, timeouts on the scheduler. */
    private static final int MAX_THREADS = 4;

    /**
     * What one load run measured; {@code elapsedNanos} is start (the first send, or request 0's due time) → last
     * response, {@code rate} the offered requests/s (0 for a closed loop), {@code cpuNanos} the process CPU used
     * from start until every request was answered (or the deadline), {@code loadCpuNanos} the part of it the load
     * generator's own threads used; both -1 when unknown.
     */
    record Run(int n, int rate, int completed, long elapsedNanos, long cpuNanos, long loadCpuNanos,
               Latencies latencies, long errors, Map<String, Long> errorKinds, List<String> examples) {

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

    private final int maxInFlight;
    private final long timeoutMillis;
    private final HttpClient http;

    /** @param maxInFlight the largest {@code concurrency} a run may ask for: connections per address at most */
    RestLoad(int maxInFlight) {
        this(maxInFlight, REQUEST_TIMEOUT);
    }

    /** With another per-request timeout than {@link #REQUEST_TIMEOUT}, for tests. */
    RestLoad(int maxInFlight, Duration requestTimeout) {
        this(maxInFlight, requestTimeout, IDLE_CONNECTION);
    }

    /** With other timeouts, for tests. */
    RestLoad(int maxInFlight, Duration requestTimeout, Duration idleConnection) {
        if (maxInFlight < 1) throw new IllegalArgumentException("maxInFlight must be >= 1, was " + maxInFlight);
        this.maxInFlight = maxInFlight;
        this.timeoutMillis = requestTimeout.toMillis();
        // a fixed pool: a thread that ended mid-run would take its CPU out of the load generator's count
        QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, MAX_THREADS);
        threads.setName("bench-http");
        threads.setDaemon(true);
        threads.setReservedThreads(0); // what a reserved thread would take over never blocks
        HttpClientTransportOverHTTP transport = new HttpClientTransportOverHTTP(1);
        // the callbacks run where the response was read, on the selector thread: they must stay quick
        transport.setInvocationType(InvocationType.NON_BLOCKING);
        http = new HttpClient(transport);
        http.setName("bench-http");
        http.setExecutor(threads);
        http.setScheduler(new ScheduledExecutorScheduler("bench-http-timeouts", true));
        http.setSocketAddressResolver(new SocketAddressResolver.Sync()); // an IP or a local name: no hand-off
        http.setMaxConnectionsPerDestination(maxInFlight);
        // each request in flight waits in the queue at most once, so with the semaphore it never overflows
        http.setMaxRequestsQueuedPerDestination(maxInFlight);
        http.setConnectTimeout(timeoutMillis); // the request's own timeout covers the connect too
        http.setIdleTimeout(idleConnection.toMillis());
        http.setFollowRedirects(false);
        http.setUserAgentField(null);
        http.setHttpCookieStore(new HttpCookieStore.Empty());
        try {
            http.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the bench's HTTP client", e);
        }
        // filled at start: no redirect, authentication or 100-continue handling, no Accept-Encoding, so the
        // server does exactly the work the scenario asks for and every response reaches the check as it came
        http.getProtocolHandlers().clear();
        http.getContentDecoderFactories().clear();
    }

    /**
     * When each request of a run was sent and answered ({@link System#nanoTime()}, 0 for never), for a scenario that
     * relates them to what else it observes (the live-events scenario: each command's event at its subscribers).
     */
    static final class Timings {
        final long[] sent;
        final long[] answered;

        Timings(int n) {
            sent = new long[n];
            answered = new long[n];
        }
    }

    /** The closed loop: {@link #run(String, String, int, int, int, IntFunction, BiFunction, Duration)} with rate 0. */
    Run run(String label, String baseUrl, int n, int concurrency, IntFunction<Request> request,
            BiFunction<Integer, Response, String> check, Duration timeout) {
        return run(label, baseUrl, n, concurrency, 0, request, check, timeout);
    }

    /**
     * Sends {@code request.apply(i)} for i in [0, n) to {@code baseUrl} (each path below the URL's own; a comma list of
     * URLs takes turns, request i to the (i mod k)-th), at most
     * {@code concurrency} at a time, and waits (at most {@code timeout} in all) for every answer. With
     * {@code rate} &gt; 0 request i is due at {@link #dueNanos start + i / rate} (open loop, latency from that
     * time); with 0 each goes as soon as a slot is free (closed loop, latency from its send). {@code check}
     * returns null for a good response or says what is wrong with it; one that throws counts as a wrong answer.
     */
    Run run(String label, String baseUrl, int n, int concurrency, int rate, IntFunction<Request> request,
            BiFunction<Integer, Response, String> check, Duration timeout) {
        return run(label, baseUrl, n, concurrency, rate, request, check, timeout, null);
    }

    /** As above, recording when each request was sent and answered in {@code timings} (null: not recorded). */
    Run run(String label, String baseUrl, int n, int concurrency, int rate, IntFunction<Request> request,
            BiFunction<Integer, Response, String> check, Duration timeout, Timings timings) {
        if (timings != null && timings.sent.length < n) throw new IllegalArgumentException("timings for fewer than n");
        if (rate < 0) throw new IllegalArgumentException("rate must be >= 0, was " + rate);
        if (concurrency < 1 || concurrency > maxInFlight) {
            throw new IllegalArgumentException("concurrency must be 1.." + maxInFlight + ", was " + concurrency);
        }
        // one URL, or a comma list of them (several gateways): request i goes to the (i mod k)-th
        List<BaseUrl> bases = java.util.Arrays.stream(baseUrl.split(",")).map(String::trim).filter(u -> !u.isEmpty())
                .map(BaseUrl::parse).toList();
        List<URI> origins = bases.stream().map(BaseUrl::origin).toList();
        // set here, once per run: Jetty would otherwise build each request's URI again to derive it
        List<HttpField> hosts = bases.stream().map(b -> new HttpField(HttpHeader.HOST, b.hostHeader())).toList();
        long deadline = System.nanoTime() + timeout.toNanos();
        Tally tally = new Tally(n, concurrency, check, timings);
        CpuClock.LoadThreads load = CpuClock.LoadThreads.start();
        long cpuBefore = CpuClock.processNanos();
        long start = System.nanoTime();
        long cpu;
        long loadCpu;
        try {
            for (int i = 0; i < n; i++) {
                // built before its due time: not part of its latency
                int to = i % bases.size();
                org.eclipse.jetty.client.Request next = jettyRequest(origins.get(to), hosts.get(to), bases.get(to),
                        request.apply(i));
                long due = rate > 0 ? dueNanos(start, i, rate) : 0;
                if (rate > 0 && !parkUntil(due, deadline)) {
                    log.warn("{}: out of time with {} of {} requests sent", label, i, n);
                    break;
                }
                if (!tally.inFlight.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    log.warn("{}: out of time with {} of {} requests sent", label, i, n);
                    break;
                }
                long sent = System.nanoTime();
                if (timings != null) timings.sent[i] = sent;
                next.send(new Answer(tally, i, rate > 0 ? due : sent));
            }
            if (!tally.done.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                log.warn("{}: {} of {} requests unanswered within {}", label, tally.done.getCount(), n, timeout);
            }
            cpu = CpuClock.between(cpuBefore, CpuClock.processNanos());
            loadCpu = CpuClock.LoadThreads.since(load);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(label + " interrupted", e);
        }
        Map<String, Long> errorKinds = new TreeMap<>();
        tally.kinds.forEach((k, v) -> errorKinds.put(k, v.sum()));
        int completed = tally.completed.get();
        long end = completed == 0 ? System.nanoTime() : tally.lastDone.get();
        return new Run(n, rate, completed, end - start, cpu, loadCpu, tally.latencies, tally.errors.sum(), errorKinds,
                List.copyOf(tally.examples));
    }

    private org.eclipse.jetty.client.Request jettyRequest(URI origin, HttpField host, BaseUrl base, Request r) {
        org.eclipse.jetty.client.Request request = http.newRequest(origin)
                .method(r.method())
                .path(base.pathPrefix() + r.path())
                .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
                .idleTimeout(0, TimeUnit.MILLISECONDS) // in flight, however long the server takes: just the timeout
                .headers(h -> {
                    h.put(host);
                    r.headers().forEach(h::put);
                });
        // the scenario's bytes as they are, not copied
        if (r.body() != null) request.body(new BytesRequestContent(r.body()));
        return request;
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

    /** A check that throws is a wrong answer, not a request that never completes. */
    private static String checked(BiFunction<Integer, Response, String> check, int index, Response response) {
        try {
            return check.apply(index, response);
        } catch (RuntimeException e) {
            return "check failed: " + e;
        }
    }

    private static String abbreviate(String message) {
        return message == null || message.length() <= MAX_MESSAGE_CHARS ? message
                : message.substring(0, MAX_MESSAGE_CHARS) + "...";
    }

    @Override
    public void close() {
        try {
            http.stop(); // what is still in flight ends with an error
        } catch (Exception e) {
            log.warn("stopping the bench's HTTP client failed: {}", e.toString());
        }
    }

    /** What one run's callbacks add up, from whichever thread each runs on. */
    private static final class Tally {
        final Semaphore inFlight;
        final CountDownLatch done;
        final BiFunction<Integer, Response, String> check;
        final Latencies latencies = new Latencies();
        final AtomicLong lastDone = new AtomicLong();
        final AtomicInteger completed = new AtomicInteger();
        final LongAdder errors = new LongAdder();
        final Map<String, LongAdder> kinds = new ConcurrentHashMap<>();
        final List<String> examples = Collections.synchronizedList(new ArrayList<>());
        final Timings timings;

        Tally(int n, int concurrency, BiFunction<Integer, Response, String> check, Timings timings) {
            this.inFlight = new Semaphore(concurrency);
            this.done = new CountDownLatch(n);
            this.check = check;
            this.timings = timings;
        }
    }

    /**
     * One request's outcome: its body buffered (up to {@link #MAX_BODY_BYTES}), then checked and counted. Jetty
     * calls {@link #onComplete} exactly once, usually on the selector thread (a timeout: the scheduler's; a
     * failure before anything was sent: the sending thread), so it is cheap on purpose.
     */
    private static final class Answer extends BufferingResponseListener {
        private final Tally tally;
        private final int index;
        private final long from;

        Answer(Tally tally, int index, long from) {
            super(MAX_BODY_BYTES);
            this.tally = tally;
            this.index = index;
            this.from = from;
        }

        @Override
        public void onComplete(Result result) {
            long now = System.nanoTime();
            try {
                if (tally.timings != null) tally.timings.answered[index] = now;
                tally.latencies.recordNanos(now - from);
                tally.lastDone.accumulateAndGet(now, Math::max);
                String problem;
                String kind;
                Throwable error = result.getFailure();
                if (error != null) {
                    kind = error.getClass().getSimpleName();
                    problem = kind + ": " + abbreviate(error.getMessage());
                } else {
                    var r = result.getResponse();
                    kind = "HTTP " + r.getStatus();
                    problem = checked(tally.check, index,
                            new Response(r.getStatus(), r.getHeaders(), getContentAsString(StandardCharsets.UTF_8)));
                }
                if (problem != null) {
                    tally.errors.increment();
                    tally.kinds.computeIfAbsent(kind, k -> new LongAdder()).increment();
                    if (tally.examples.size() < 3) tally.examples.add(problem);
                }
            } finally {
                tally.completed.incrementAndGet();
                tally.inFlight.release();
                tally.done.countDown();
            }
        }
    }
}
