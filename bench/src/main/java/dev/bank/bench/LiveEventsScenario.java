package dev.bank.bench;

import dev.bank.schemas.Json;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * live-events: rest-sync's workload ({@code POST /transaction} on {@code BANK_BENCH_ACCOUNTS} accounts, paced as
 * rest-sync is) while {@code BANK_BENCH_SUBSCRIBERS} live event streams follow those accounts on the same gateway
 * ({@code GET /accounts/{id}/events}, {@link SseSubscribers}): subscriber j follows account j mod A, so an account
 * has as many subscribers as S / A says, and a tenth of the subscribers follow quiet accounts nothing is posted to
 * (they cost the gateway heartbeats only). Every stream starts after its account's opening deposit (event 1), so the
 * k-th command on an account is its event k + 1 at every one of its subscribers.
 *
 * <p>For each command the scenario knows when it was sent and answered (REST) and when each subscriber received its
 * event. It reports, per event, received − answered (can be negative: the answer and the event leave the gateway from
 * two readers of the same commit) and received − sent, next to the REST requests' own latency from the same run; the
 * events expected and received (each exactly once, in order, at every subscriber: anything else fails the run); the
 * subscribers connected; and the CPU of the gateway's threads per command. The row's latency is received − sent.
 */
final class LiveEventsScenario {
    /** The gateway's threads in an in-process bank (the HTTP server, its clients and Kafka readers, the streams). */
    static final List<String> GATEWAY_THREADS = List.of("gateway-http", "processor-client", "outcome-listener",
            "outcome-delivery", "account-events", "event-streams", "fx-rates",
            "kafka-producer-network-thread | bank-gateway");
    /** The threads that only the live streams use: the events topic's reader and the streams' timer. */
    static final List<String> STREAM_THREADS = List.of("account-events", "event-streams");

    private final BenchConfig config;
    private final String runId;
    private final KafkaScenarios kafka;
    private final RestLoad http;
    private final Balances balances;
    private final String bearer;

    LiveEventsScenario(BenchConfig config, String runId, KafkaScenarios kafka, RestLoad http, Balances balances,
                       String token) {
        this.config = config;
        this.runId = runId;
        this.kafka = kafka;
        this.http = http;
        this.balances = balances;
        this.bearer = "Bearer " + token;
    }

    ScenarioResult run() {
        Scenario scenario = Scenario.LIVE_EVENTS;
        List<String> failures = new ArrayList<>();
        int subscribers = config.subscribers();
        if (config.restWarmup() > 0) failures.addAll(warmUp(subscribers));
        Workload w = new Workload(runId, scenario, Math.min(config.accounts(), config.restN()), config.restN());
        int quietSubscribers = subscribers >= 10 ? subscribers / 10 : 0;
        Workload quiet = new Workload(runId + "q", scenario, Math.max(1, quietSubscribers / 2), 0);
        failures.addAll(kafka.openAccounts(w));
        if (quietSubscribers > 0) failures.addAll(kafka.openAccounts(quiet));
        if (!failures.isEmpty()) return setupFailed(failures);

        Plan plan = new Plan(w, quiet, subscribers, quietSubscribers);
        RestLoad.Timings timings = new RestLoad.Timings(w.n());
        Received received = new Received(plan);
        try (SseSubscribers streams = new SseSubscribers(subscribers)) {
            int connected;
            try {
                connected = streams.open(config.gatewayUrls().get(0), plan.paths(), plan.startsAfter(), bearer,
                        received,
                        config.scenarioTimeout());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while subscribing", e);
            }
            received.started = true;
            if (connected < subscribers) {
                failures.add("only " + connected + " of " + subscribers + " subscribers connected");
            }

            CpuClock.NamedThreads gateway = CpuClock.NamedThreads.start(GATEWAY_THREADS);
            CpuClock.NamedThreads streamThreads = CpuClock.NamedThreads.start(STREAM_THREADS);
            long cpuBefore = CpuClock.processNanos();
            RestLoad.Run run = http.run(scenario.label(), config.gatewayUrls().get(0), w.n(), config.concurrency(),
                    config.rate(), i -> Request.post("/transaction", "application/json",
                            Json.bytes(RestScenarios.body(w, i))).with("Authorization", bearer),
                    (i, response) -> RestScenarios.checkTransaction(w, i, response), config.scenarioTimeout(),
                    timings);
            long expected = plan.expectedEvents();
            long deadline = System.nanoTime() + config.scenarioTimeout().toNanos();
            while (received.count() < expected && System.nanoTime() < deadline) {
                try {
                    TimeUnit.MILLISECONDS.sleep(20); // the last events are on their way; nothing signals the last one
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            Map<String, Long> gatewayByThreads = CpuClock.NamedThreads.byPrefix(gateway);
            long gatewayCpu = gateway == null ? -1
                    : gatewayByThreads.values().stream().mapToLong(Long::longValue).sum();
            long streamCpu = CpuClock.NamedThreads.since(streamThreads);
            long processCpu = CpuClock.between(cpuBefore, CpuClock.processNanos());
            received.stopped = true;
            int stillOpen = streams.openStreams();

            failures.addAll(run.failures());
            failures.addAll(received.failures(expected));
            if (stillOpen < connected) {
                failures.add((connected - stillOpen) + " streams ended during the run: " + received.endings());
            }
            failures.addAll(balances.verify(w.expectedBalances(w.n()), config.scenarioTimeout()));

            Figures figures = new Figures(received, timings);
            Details details = new Details(subscribers, connected, plan, expected, received, figures, run,
                    gatewayCpu, gatewayByThreads, streamCpu, processCpu);
            ScenarioResult result = ScenarioResult.of(scenario, run.n(), config.concurrency(),
                    config.openLoop() ? config.rate() : null, run.elapsedNanos(), run.cpuNanos(), run.loadCpuNanos(),
                    run.completed(), figures.fromSentHistogram(), run.errors() + (run.n() - run.completed())
                            + received.errors(expected), failures);
            return result.withDetails(details);
        }
    }

    /**
     * Untimed: rest-sync's warm-up (closed loop, on accounts of its own) while as many streams as the run will have
     * follow those accounts, so the gateway's stream path is compiled too; those streams are closed afterwards.
     */
    private List<String> warmUp(int subscribers) {
        Workload warm = new Workload(runId + "w", Scenario.LIVE_EVENTS, Math.min(config.accounts(),
                config.restWarmup()), config.restWarmup());
        List<String> failures = new ArrayList<>(kafka.openAccounts(warm));
        if (!failures.isEmpty()) return failures.stream().map(f -> "warm-up: " + f).toList();
        Plan plan = new Plan(warm, warm, subscribers, 0);
        Received received = new Received(plan);
        try (SseSubscribers streams = new SseSubscribers(subscribers)) {
            streams.open(config.gatewayUrls().get(0), plan.paths(), plan.startsAfter(), bearer, received,
                    config.scenarioTimeout());
            received.started = true;
            RestLoad.Run run = http.run("live-events-warmup", config.gatewayUrls().get(0), warm.n(),
                    config.concurrency(), 0,
                    i -> Request.post("/transaction", "application/json", Json.bytes(RestScenarios.body(warm, i)))
                            .with("Authorization", bearer),
                    (i, response) -> RestScenarios.checkTransaction(warm, i, response), config.scenarioTimeout());
            failures.addAll(run.failures());
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (received.count() < plan.expectedEvents() && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(20);
            }
            received.stopped = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failures.add("interrupted");
        }
        return failures.stream().map(f -> "warm-up: " + f).toList();
    }

    private ScenarioResult setupFailed(List<String> failures) {
        return ScenarioResult.setupFailed(Scenario.LIVE_EVENTS, config.restN(), config.concurrency(),
                config.openLoop() ? config.rate() : null, failures);
    }

    /** Who follows which account, and how many events each subscriber is owed. */
    static final class Plan {
        final Workload w;
        final Workload quiet;
        final int subscribers;
        final int active;
        final int[] account; // per subscriber: index of its account in w, or -1 for a quiet one
        final String[] accountIds;

        Plan(Workload w, Workload quiet, int subscribers, int quietSubscribers) {
            this.w = w;
            this.quiet = quiet;
            this.subscribers = subscribers;
            this.active = subscribers - quietSubscribers;
            this.account = new int[subscribers];
            this.accountIds = new String[subscribers];
            int accounts = w.accountIds().size();
            for (int j = 0; j < subscribers; j++) {
                if (j < active) {
                    account[j] = j % accounts;
                    accountIds[j] = w.accountIds().get(j % accounts);
                } else {
                    account[j] = -1;
                    accountIds[j] = quiet.accountIds().get((j - active) % quiet.accountIds().size());
                }
            }
        }

        List<String> paths() {
            return Arrays.stream(accountIds).map(a -> "/accounts/" + a + "/events").toList();
        }

        /** Every stream starts after event 1, its account's opening deposit. */
        List<String> startsAfter() {
            return Arrays.stream(accountIds).map(a -> "1").toList();
        }

        /** Commands on account {@code a} of w: those i with i mod A = a. */
        int commandsOn(int a) {
            int accounts = w.accountIds().size();
            return w.n() / accounts + (a < w.n() % accounts ? 1 : 0);
        }

        long expectedEvents() {
            long sum = 0;
            for (int j = 0; j < subscribers; j++) if (account[j] >= 0) sum += commandsOn(account[j]);
            return sum;
        }

        /** Subscribers of account {@code a}. */
        int subscribersOf(int a) {
            int accounts = w.accountIds().size();
            return active / accounts + (a < active % accounts ? 1 : 0);
        }

        /** Accounts with at least one subscriber. */
        int followedAccounts() {
            return Math.min(active, w.accountIds().size());
        }
    }

    /** What the subscribers received: each event's command and arrival, checked as it comes. */
    static final class Received implements SseSubscribers.Listener {
        private final Plan plan;
        private final long[] next; // per subscriber: the next sequence due
        private final int[] commandOf;
        private final long[] arrivedAt;
        private final AtomicInteger slots = new AtomicInteger();
        /** Slots written: read after it, the arrays hold every event counted. */
        private final AtomicInteger filled = new AtomicInteger();
        private final AtomicLong duplicates = new AtomicLong();
        private final AtomicLong gaps = new AtomicLong();
        private final AtomicLong unexpected = new AtomicLong();
        private final AtomicLong mismatched = new AtomicLong();
        private final Map<String, Integer> endings = new ConcurrentHashMap<>();
        volatile boolean started;
        volatile boolean stopped;

        Received(Plan plan) {
            this.plan = plan;
            this.next = new long[plan.subscribers];
            Arrays.fill(next, 2);
            int capacity = (int) Math.min(Integer.MAX_VALUE - 8, plan.expectedEvents() + 1024);
            this.commandOf = new int[capacity];
            this.arrivedAt = new long[capacity];
        }

        @Override
        public void event(int stream, long id, String type, byte[] data, int length, long nanos) {
            int a = plan.account[stream];
            if (a < 0 || !"posting.created".equals(type)) {
                unexpected.incrementAndGet();
                return;
            }
            synchronized (this) { // one subscriber's events come on one thread, in order; this orders the counters
                long due = next[stream];
                if (id < due) {
                    duplicates.incrementAndGet();
                    return;
                }
                if (id > due) gaps.addAndGet(id - due);
                next[stream] = id + 1;
            }
            long k = id - 2; // the k-th command on the account (0-based)
            long i = k * plan.w.accountIds().size() + a;
            if (k < 0 || i >= plan.w.n()
                    || !contains(data, length, "\"transactionId\":\"" + plan.w.transactionId((int) i) + "\"")) {
                mismatched.incrementAndGet();
                return;
            }
            int slot = slots.getAndIncrement();
            if (slot >= commandOf.length) {
                unexpected.incrementAndGet();
                return;
            }
            commandOf[slot] = (int) i;
            arrivedAt[slot] = nanos;
            filled.incrementAndGet();
        }

        @Override
        public void ended(int stream, String why) {
            if (started && !stopped) endings.merge(why.length() > 120 ? why.substring(0, 120) : why, 1, Integer::sum);
        }

        long count() {
            return filled.get();
        }

        Map<String, Integer> endings() {
            return endings;
        }

        long errors(long expected) {
            return Math.abs(expected - count()) + duplicates.get() + unexpected.get() + mismatched.get();
        }

        List<String> failures(long expected) {
            List<String> f = new ArrayList<>();
            if (count() != expected) f.add("events received " + count() + ", expected " + expected);
            if (duplicates.get() > 0) f.add(duplicates.get() + " events received twice");
            if (gaps.get() > 0) f.add(gaps.get() + " events skipped");
            if (unexpected.get() > 0) f.add(unexpected.get() + " events nobody was owed");
            if (mismatched.get() > 0) f.add(mismatched.get() + " events not of the command their sequence says");
            return f;
        }

        private static boolean contains(byte[] data, int length, String needle) {
            byte[] n = needle.getBytes(StandardCharsets.US_ASCII);
            outer:
            for (int at = 0; at + n.length <= length; at++) {
                for (int k = 0; k < n.length; k++) if (data[at + k] != n[k]) continue outer;
                return true;
            }
            return false;
        }
    }

    /** The latencies of the events, from their commands' send and answer, in nanoseconds (signed). */
    static final class Figures {
        final long[] fromSent;
        final long[] fromAnswered;
        final long beforeAnswer;

        Figures(Received received, RestLoad.Timings timings) {
            int count = (int) received.count();
            long[] sent = new long[count];
            long[] answered = new long[count];
            int n = 0;
            long early = 0;
            for (int s = 0; s < count; s++) {
                int i = received.commandOf[s];
                if (timings.sent[i] == 0 || timings.answered[i] == 0) continue;
                sent[n] = received.arrivedAt[s] - timings.sent[i];
                answered[n] = received.arrivedAt[s] - timings.answered[i];
                if (answered[n] < 0) early++;
                n++;
            }
            fromSent = Arrays.copyOf(sent, n);
            fromAnswered = Arrays.copyOf(answered, n);
            Arrays.sort(fromSent);
            Arrays.sort(fromAnswered);
            beforeAnswer = early;
        }

        Latencies fromSentHistogram() {
            Latencies l = new Latencies();
            for (long v : fromSent) l.recordNanos(v);
            return l;
        }

        static double percentileMs(long[] sorted, double p) {
            if (sorted.length == 0) return 0;
            int at = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, at))] / 1e6;
        }

        static Map<String, Object> json(long[] sorted) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (double p : new double[] {50, 90, 99}) {
                m.put("p" + (int) p + "Ms", Math.round(percentileMs(sorted, p) * 1000) / 1000.0);
            }
            m.put("maxMs", Math.round(percentileMs(sorted, 100) * 1000) / 1000.0);
            return m;
        }

        static String line(long[] sorted) {
            return String.format(Locale.ROOT, "p50 %.1f  p90 %.1f  p99 %.1f  max %.1f ms", percentileMs(sorted, 50),
                    percentileMs(sorted, 90), percentileMs(sorted, 99), percentileMs(sorted, 100));
        }
    }

    /** What is printed under the table and kept in the JSON. */
    private record Details(int subscribers, int connected, Plan plan, long expected, Received received,
                           Figures figures, RestLoad.Run run, long gatewayCpu, Map<String, Long> gatewayByThreads,
                           long streamCpu, long processCpu) implements ScenarioDetails {

        private double perCommandMicros(long nanos) {
            return nanos < 0 || run.completed() == 0 ? -1 : nanos / 1e3 / run.completed();
        }

        private double perEventMicros(long nanos) {
            return nanos < 0 || received.count() == 0 ? -1 : nanos / 1e3 / received.count();
        }

        @Override
        public List<String> lines() {
            List<String> l = new ArrayList<>();
            l.add(String.format(Locale.ROOT, "subscribers: %d asked, %d connected (%d on %d written accounts, %d on "
                            + "quiet ones)", subscribers, connected, plan.active, plan.followedAccounts(),
                    subscribers - plan.active));
            l.add(String.format(Locale.ROOT, "events: %d expected, %d received (duplicates, gaps, strays: %d, %d, %d)",
                    expected, received.count(), received.duplicates.get(), received.gaps.get(),
                    received.unexpected.get() + received.mismatched.get()));
            l.add(String.format(Locale.ROOT, "REST POST /transaction, the same run (answered - sent): p50 %.1f  p90 "
                    + "%.1f  p99 %.1f  max %.1f ms, %.0f/s", run.latencies().percentileMs(50),
                    run.latencies().percentileMs(90), run.latencies().percentileMs(99), run.latencies().maxMs(),
                    run.throughput()));
            l.add("event received - command answered: " + Figures.line(figures.fromAnswered) + String.format(
                    Locale.ROOT, " (%.1f%% before their answer)", figures.fromAnswered.length == 0 ? 0
                            : 100.0 * figures.beforeAnswer / figures.fromAnswered.length));
            l.add("event received - command sent:     " + Figures.line(figures.fromSent));
            l.add(String.format(Locale.ROOT, "cpu: gateway threads %.0f µs per command (of which the events reader and "
                            + "the streams' timer %.0f µs per event delivered); whole process %.0f µs per command",
                    perCommandMicros(gatewayCpu), perEventMicros(streamCpu), perCommandMicros(processCpu)));
            StringBuilder threads = new StringBuilder("cpu of the gateway's threads, µs per command:");
            gatewayByThreads.forEach((name, nanos) -> threads.append(String.format(Locale.ROOT, " %s %.0f,",
                    name.replace("kafka-producer-network-thread | bank-gateway", "producer"),
                    perCommandMicros(nanos))));
            l.add(threads.substring(0, threads.length() - 1));
            return l;
        }

        @Override
        public Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("subscribersAsked", subscribers);
            m.put("subscribersConnected", connected);
            m.put("subscribersOnWrittenAccounts", plan.active);
            m.put("writtenAccountsFollowed", plan.followedAccounts());
            m.put("eventsExpected", expected);
            m.put("eventsReceived", received.count());
            m.put("duplicates", received.duplicates.get());
            m.put("gaps", received.gaps.get());
            m.put("strays", received.unexpected.get() + received.mismatched.get());
            Map<String, Object> rest = new LinkedHashMap<>();
            rest.put("p50Ms", run.latencies().percentileMs(50));
            rest.put("p90Ms", run.latencies().percentileMs(90));
            rest.put("p99Ms", run.latencies().percentileMs(99));
            rest.put("maxMs", run.latencies().maxMs());
            rest.put("throughputPerSec", Math.round(run.throughput() * 10) / 10.0);
            m.put("restAnsweredMinusSent", rest);
            Map<String, Object> fromAnswered = Figures.json(figures.fromAnswered);
            fromAnswered.put("eventsBeforeTheirAnswer", figures.beforeAnswer);
            m.put("eventMinusAnswered", fromAnswered);
            m.put("eventMinusSent", Figures.json(figures.fromSent));
            m.put("gatewayCpuMicrosPerCommand", round(perCommandMicros(gatewayCpu)));
            Map<String, Object> byThreads = new LinkedHashMap<>();
            gatewayByThreads.forEach((name, nanos) -> byThreads.put(name, round(perCommandMicros(nanos))));
            m.put("gatewayCpuMicrosPerCommandByThreads", byThreads);
            m.put("streamThreadsCpuMicrosPerEvent", round(perEventMicros(streamCpu)));
            m.put("processCpuMicrosPerCommand", round(perCommandMicros(processCpu)));
            return m;
        }

        private static Double round(double v) {
            return v < 0 ? null : Math.round(v * 10) / 10.0;
        }
    }
}
