package dev.bank.gateway.events;

import dev.bank.gateway.config.LiveEventsConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * The gateway's live event streams: who may open one (at most {@code maxStreams} in all and {@code maxPerPrincipal}
 * per principal; beyond, 503 and 429), the streams open now, their heartbeats and token expiries (one timer thread
 * for all of them), their metrics, and their end when the gateway stops: each says so in a comment and ends cleanly,
 * so its client sees the end of the response and reconnects, to another gateway, with {@code Last-Event-ID}.
 */
public final class LiveEvents implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LiveEvents.class);

    /** A new stream cannot open now: the status (429 or 503) and why. */
    public static final class RefusedException extends RuntimeException {
        private final int status;

        RefusedException(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /** The right to hold one stream, taken before it opens and given back once, when it ends. */
    public final class Admission {
        private final String principal;
        private final AtomicBoolean released = new AtomicBoolean();

        private Admission(String principal) {
            this.principal = principal;
        }

        public void release() {
            if (!released.compareAndSet(false, true)) return;
            total.decrementAndGet();
            perPrincipal.computeIfPresent(principal, (p, n) -> n <= 1 ? null : n - 1);
        }
    }

    private final LiveEventsConfig config;
    private final LiveFeed feed;
    private final Clock clock;
    private final ScheduledExecutorService timer;
    private final Set<EventStream> streams = ConcurrentHashMap.newKeySet();
    private final AtomicInteger total = new AtomicInteger();
    private final Map<String, Integer> perPrincipal = new ConcurrentHashMap<>();
    private final Counter delivered;
    private final Counter fetches;
    private final Counter resets;
    private final Map<EventStream.End, Counter> ended = new EnumMap<>(EventStream.End.class);
    private final Counter refusedPrincipal;
    private final Counter refusedGateway;
    private volatile boolean closing;

    public LiveEvents(LiveEventsConfig config, LiveFeed feed, MeterRegistry registry, Clock clock) {
        this.config = config;
        this.feed = feed;
        this.clock = clock;
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "event-streams");
            thread.setDaemon(true);
            return thread;
        });
        t.setRemoveOnCancelPolicy(true);
        this.timer = t;
        long tick = Math.max(50, Math.min(1_000, config.heartbeat().toMillis() / 4));
        timer.scheduleWithFixedDelay(this::tick, tick, tick, TimeUnit.MILLISECONDS);
        Gauge.builder("bank.gateway.events.streams", streams, Set::size)
                .description("Live event streams open on this gateway").register(registry);
        this.delivered = Counter.builder("bank.gateway.events.delivered")
                .description("Account events handed to live streams' clients").register(registry);
        this.fetches = Counter.builder("bank.gateway.events.backlog.fetches")
                .description("Pages of an account's events asked of the processors by live streams catching up")
                .register(registry);
        this.resets = Counter.builder("bank.gateway.events.resets")
                .description("Live streams told that the events after their last one are no longer kept")
                .register(registry);
        for (EventStream.End why : EventStream.End.values()) {
            ended.put(why, Counter.builder("bank.gateway.events.ended").tag("reason", why.tag())
                    .description("Live streams ended, by why (overflow: a client that did not read was cut off)")
                    .register(registry));
        }
        this.refusedPrincipal = Counter.builder("bank.gateway.events.refused").tag("limit", "principal")
                .description("Live streams refused by a limit").register(registry);
        this.refusedGateway = Counter.builder("bank.gateway.events.refused").tag("limit", "gateway")
                .description("Live streams refused by a limit").register(registry);
    }

    public LiveEventsConfig config() {
        return config;
    }

    /** Null when streams can open; otherwise why not (the gateway does not read the events topic yet, or stops). */
    public String problem() {
        if (closing) return "the gateway is shutting down";
        return feed.problem();
    }

    /** Takes the right to hold one more stream for {@code principal}, or says why not. */
    public Admission admit(String principal) {
        if (total.incrementAndGet() > config.maxStreams()) {
            total.decrementAndGet();
            refusedGateway.increment();
            throw new RefusedException(503, "the gateway holds " + config.maxStreams()
                    + " live streams already; retry shortly, or on another gateway");
        }
        int mine = perPrincipal.merge(principal, 1, Integer::sum);
        if (mine > config.maxPerPrincipal()) {
            perPrincipal.computeIfPresent(principal, (p, n) -> n <= 1 ? null : n - 1);
            total.decrementAndGet();
            refusedPrincipal.increment();
            throw new RefusedException(429, "at most " + config.maxPerPrincipal()
                    + " live streams at once per principal; close one first");
        }
        return new Admission(principal);
    }

    /**
     * Opens a stream of {@code accountId}'s events for an admitted client: subscribes it to the live feed, then catches
     * it up from the processors and answers the exchange.
     *
     * @param maySeeOwner whether the client may see the events of an account with this owner
     * @param expiresAt   when the client's token expires (the stream ends then), or null
     * @param head        a HEAD request: headers only
     */
    public void open(Admission admission, String accountId, Predicate<String> maySeeOwner, EventCursor cursor,
                     EventStream.Fetcher fetcher, EventStream.Exchange exchange, Instant expiresAt, boolean head) {
        EventStream stream = new EventStream(accountId, maySeeOwner, cursor, fetcher, feed,
                exchange, new EventStream.Events() {
                    @Override
                    public void delivered(int count) {
                        delivered.increment(count);
                    }

                    @Override
                    public void fetched() {
                        fetches.increment();
                    }

                    @Override
                    public void reset() {
                        resets.increment();
                    }

                    @Override
                    public void ended(EventStream s, EventStream.End why) {
                        admission.release();
                        ended.get(why).increment();
                    }
                }, timer, config.retry().toMillis(), config.pageSize(), config.queueBytes(),
                config.heartbeat().toNanos(), expiresAt, head);
        streams.add(stream);
        stream.finished().whenComplete((v, e) -> streams.remove(stream));
        stream.start();
        if (closing) stream.shutdown(); // the gateway began to stop while this one opened
    }

    /** Streams open (or ending) right now. */
    public int open() {
        return streams.size();
    }

    private void tick() {
        try {
            long now = System.nanoTime();
            Instant at = clock.instant();
            for (EventStream stream : streams) stream.tick(now, at);
        } catch (RuntimeException e) {
            log.warn("live streams' timer: {}", e.toString(), e); // the next tick comes regardless
        }
    }

    /**
     * Stops admitting streams and ends every open one cleanly (a comment saying why, then the end of the response),
     * waiting up to a few seconds for them to finish; one whose client does not take its last bytes is dropped.
     */
    @Override
    public void close() {
        closing = true;
        int open = streams.size();
        for (EventStream stream : streams) stream.shutdown();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(EventStream.CLOSE_GRACE_MILLIS + 1_000);
        while (!streams.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10); // a shutdown path: polls until every stream's response has ended
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (open > 0) log.info("closed {} live streams ({} not ended in time)", open, streams.size());
        timer.shutdownNow();
    }
}
