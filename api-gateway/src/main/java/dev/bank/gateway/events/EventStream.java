package dev.bank.gateway.events;

import dev.bank.schemas.AccountEvent;
import dev.bank.schemas.AccountEventPage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One client's live stream of one account: subscribed to the live feed first, then catching up from the processors
 * after the client's last event, then following the feed ({@link EventCursor} decides what is sent). Nothing here
 * waits: the feed's thread, the processors' answers, the server's write callbacks and the streams' timer each do their
 * part under the stream's lock and return.
 *
 * <p>Writes never block. What the client has not taken yet waits in the stream's own queue; when more than
 * {@code queueBytes} of live events wait, the client is not reading, and it is cut off (it resumes with
 * {@code Last-Event-ID} when it is ready). A page of the backlog may exceed that bound (it is written before the next
 * one is asked for). An idle stream sends a comment every heartbeat; at the token's expiry, and when the gateway stops,
 * the stream says why in a comment and ends cleanly once its queue is written.
 */
public final class EventStream implements LiveFeed.Subscriber {
    private static final Logger log = LoggerFactory.getLogger(EventStream.class);

    /** Why a stream ended, as the metrics count it. */
    enum End {
        /** The client went away, or a write to it failed. */
        CLIENT_GONE,
        /** More than the bound waited for a client that does not read. */
        OVERFLOW,
        /** The bearer token expired. */
        TOKEN_EXPIRED,
        /** The gateway is stopping. */
        SHUTDOWN,
        /** The processors could not supply the events the stream missed. */
        STALLED,
        /** Answered without a stream: a problem (404, 400, 503), or the headers of a HEAD request. */
        ANSWERED;

        String tag() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    /** The non-blocking output of the response, once committed (Servlet 3.1 semantics). */
    public interface Output {
        /** False while a write is pending; {@link EventStream#writable()} is called when it is not. */
        boolean isReady();

        void write(byte[] bytes) throws IOException;

        void flush() throws IOException;
    }

    /** The HTTP exchange the stream answers: a problem before it commits, or the stream. */
    public interface Exchange {
        /** Commits 200 with the stream's headers; the output's callbacks go to {@code stream}. */
        Output open(EventStream stream);

        /** Answers 200 with the stream's headers and no body (a HEAD request), and completes the exchange. */
        void headOnly();

        /**
         * Answers with a problem instead of a stream (nothing was committed), and completes the exchange. A
         * {@code detail} of null: the route's usual one for that status; {@code cause}: why the processors could not
         * be asked.
         */
        void refuse(int status, String title, String detail, Throwable cause);

        /** The exchange is over: ends the response cleanly, or, with {@code abort}, drops the connection. */
        void finish(boolean abort);
    }

    /** What the stream tells its owner. */
    interface Events {
        void delivered(int events);

        void fetched();

        void reset();

        /** The stream has ended (once): the owner forgets it. */
        void ended(EventStream stream, End why);
    }

    /** Fetches in a row that bring nothing while the stream is behind, before it gives up. */
    static final int MAX_FRUITLESS = 6;
    /** How long a stream that ends cleanly may take to write its last bytes before it is dropped. */
    static final long CLOSE_GRACE_MILLIS = 2_000;
    /** Frames coalesced into one write when several wait. */
    private static final int MAX_WRITE_BYTES = 16 * 1024;

    private enum State { OPENING, OPEN, CLOSING, ENDED }

    private final String accountId;
    private final Predicate<String> maySeeOwner;
    private final EventCursor cursor;
    private final Fetcher fetcher;
    private final LiveFeed feed;
    private final Exchange exchange;
    private final Events events;
    private final ScheduledExecutorService timer;
    private final long retryMillis;
    private final int pageSize;
    private final int queueLimit;
    private final long heartbeatNanos;
    private final Instant expiresAt;
    private final boolean head;

    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private long queuedBytes;
    /** Bytes at the head of the queue that a backlog page put there: not counted against {@link #queueLimit}. */
    private long exemptBytes;
    private boolean needsFlush;
    private long lastWriteNanos;
    private boolean retryScheduled;
    private State state = State.OPENING;
    private LiveFeed.Subscription subscription;
    private Output output;
    /** Completed once the exchange has been answered and ended, whichever way. */
    private final CompletableFuture<Void> finished = new CompletableFuture<>();

    /** Asks the processors for the account's events after a sequence; an empty answer: the account is not there. */
    @FunctionalInterface
    public interface Fetcher {
        CompletableFuture<Optional<AccountEventPage>> after(long sequence, int limit);
    }

    /**
     * @param maySeeOwner whether the viewer may see an event whose account has this owner (checked again on every
     *                    live event, though ownership was checked when the stream opened)
     * @param expiresAt   when the client's token expires (null: not known), when the stream ends
     * @param head        a HEAD request: headers only, once the account is found
     */
    EventStream(String accountId, Predicate<String> maySeeOwner, EventCursor cursor,
                Fetcher fetcher, LiveFeed feed, Exchange exchange, Events events, ScheduledExecutorService timer,
                long retryMillis, int pageSize, int queueLimit, long heartbeatNanos, Instant expiresAt, boolean head) {
        this.accountId = accountId;
        this.maySeeOwner = maySeeOwner;
        this.cursor = cursor;
        this.fetcher = fetcher;
        this.feed = feed;
        this.exchange = exchange;
        this.events = events;
        this.timer = timer;
        this.retryMillis = retryMillis;
        this.pageSize = pageSize;
        this.queueLimit = queueLimit;
        this.heartbeatNanos = heartbeatNanos;
        this.expiresAt = expiresAt;
        this.head = head;
        // the first heartbeat at a random point of the interval: streams opened together (a gateway's clients
        // reconnecting after a restart) do not all write at the same tick, nor find their dead clients at once
        this.lastWriteNanos = System.nanoTime() - (long) (Math.random() * heartbeatNanos);
    }

    /** Subscribes first (so nothing committed from now on is missed), then asks for the events after the start. */
    void start() {
        synchronized (this) {
            subscription = feed.subscribe(accountId, this);
            fetch();
        }
    }

    // ---- the live feed's thread ----

    @Override
    public void event(AccountEvent event, byte[] frame) {
        Runnable after;
        synchronized (this) {
            if (state == State.CLOSING || state == State.ENDED) return;
            if (!maySeeOwner.test(event.owner())) {
                // the account's owner is checked when the stream opens, and an owner never changes; should it
                // differ, the client reconnects and is answered as the account's reads answer it
                after = state == State.OPENING ? refuse(404, "Account not found", null, null)
                        : end(End.CLIENT_GONE, true);
            } else {
                List<EventCursor.Step> steps = cursor.live(event);
                if (state == State.OPEN) {
                    after = emit(steps, event, frame, false);
                    if (after == null) after = progress(); // writes it, or asks for what is missing before it
                } else {
                    after = null;
                }
            }
        }
        run(after);
    }

    @Override
    public void missed() {
        Runnable after;
        synchronized (this) {
            if (state == State.CLOSING || state == State.ENDED) return;
            cursor.missedLive();
            after = state == State.OPEN ? progress() : null;
        }
        run(after);
    }

    // ---- the processors' answers ----

    private void fetch() {
        boolean first = state == State.OPENING;
        // a stream of new events only needs nothing but the account's latest sequence from its first page
        int limit = first && !cursor.started() ? 1 : pageSize;
        cursor.fetching();
        events.fetched();
        CompletableFuture<Optional<AccountEventPage>> answer;
        try {
            answer = fetcher.after(cursor.fetchAfter(), limit);
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        // an answer that completes on this thread (which holds the lock) is handled on another, after it
        answer.whenCompleteAsync(this::answered, task -> {
            if (Thread.holdsLock(this)) elsewhere(task);
            else task.run();
        });
    }

    private void answered(Optional<AccountEventPage> page, Throwable error) {
        Runnable after;
        synchronized (this) {
            try {
                after = page(page, error);
            } catch (RuntimeException e) {
                // a bug, not the client's doing: the stream ends (the client resumes) rather than hang half-open
                log.error("live stream of account {} failed", accountId, e);
                after = state == State.OPENING ? refuse(503, "Service unavailable", null, e)
                        : end(End.CLIENT_GONE, false);
            }
        }
        run(after);
    }

    /** Runs a task on the timer's thread, or, once the timer has stopped (the gateway stops), on the common pool. */
    private void elsewhere(Runnable task) {
        try {
            timer.execute(task);
        } catch (RejectedExecutionException e) {
            ForkJoinPool.commonPool().execute(task);
        }
    }

    /** Schedules a task on the timer; false when the timer has stopped. */
    private boolean later(Runnable task, long delayMillis) {
        try {
            timer.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    private Runnable page(Optional<AccountEventPage> page, Throwable error) {
        if (state == State.CLOSING || state == State.ENDED) return null;
        if (error != null) {
            if (state == State.OPENING) return refuse(503, "Service unavailable", null, error);
            cursor.fetchFailed();
            return progress();
        }
        if (page.isEmpty()) {
            // the account is not there (or not the viewer's): what every read of it answers
            if (state == State.OPENING) return refuse(404, "Account not found", null, null);
            return end(End.STALLED, true);
        }
        AccountEventPage p = page.get();
        if (state == State.OPENING) {
            if (cursor.startsBeyond(p)) {
                return refuse(400, "Invalid request", "Last-Event-ID " + cursor.last()
                        + " is after the account's newest event (" + p.latest() + ")", null);
            }
            if (head) {
                end(End.ANSWERED, false);
                return () -> {
                    exchange.headOnly();
                    finished.complete(null);
                };
            }
            Long startsAfter = cursor.started() ? null : p.latest();
            List<EventCursor.Step> steps = cursor.page(p);
            state = State.OPEN; // from here the exchange is committed: an end finishes it
            try {
                output = exchange.open(this);
            } catch (RuntimeException e) {
                return end(End.CLIENT_GONE, false);
            }
            // each stream suggests its own delay between retry and twice it, so the clients of a gateway that stops
            // do not all come back at once
            long retry = retryMillis + (long) (Math.random() * retryMillis);
            enqueue(Sse.opening(retry, startsAfter), true);
            Runnable failed = emit(steps, null, null, true);
            return failed != null ? failed : progress();
        }
        Runnable failed = emit(cursor.page(p), null, null, true);
        return failed != null ? failed : progress();
    }

    // ---- writing ----

    /** Queues what the steps send; a live event beyond the bound ends the stream (the returned action). */
    private Runnable emit(List<EventCursor.Step> steps, AccountEvent live, byte[] liveFrame, boolean backlog) {
        int delivered = 0;
        for (EventCursor.Step step : steps) {
            byte[] frame;
            if (step instanceof EventCursor.Deliver d) {
                frame = d.event() == live && liveFrame != null ? liveFrame : Sse.event(d.event());
                delivered++;
            } else {
                frame = Sse.reset(accountId, (EventCursor.Reset) step);
                events.reset();
            }
            enqueue(frame, backlog);
        }
        if (delivered > 0) events.delivered(delivered);
        if (!backlog && queuedBytes - exemptBytes > queueLimit) return end(End.OVERFLOW, false);
        return null;
    }

    private void enqueue(byte[] frame, boolean exempt) {
        queue.add(frame);
        queuedBytes += frame.length;
        if (exempt) exemptBytes += frame.length;
    }

    /** The output can take more: called by the server once a pending write completed. */
    public void writable() {
        Runnable after;
        synchronized (this) {
            after = progress();
        }
        run(after);
    }

    /** The connection failed (the client went away, or a write timed out). */
    public void failed(Throwable error) {
        Runnable after;
        synchronized (this) {
            after = end(End.CLIENT_GONE, false);
        }
        run(after);
    }

    /** Writes what waits as far as the output takes it, then asks for more events or ends, as the state says. */
    private Runnable progress() {
        if (state != State.OPEN && state != State.CLOSING) return null;
        try {
            while (output.isReady()) {
                if (needsFlush) {
                    needsFlush = false;
                    output.flush();
                    continue;
                }
                if (queue.isEmpty()) break;
                output.write(take());
                lastWriteNanos = System.nanoTime();
                needsFlush = true;
            }
        } catch (IOException | IllegalStateException e) {
            return end(End.CLIENT_GONE, false);
        }
        if (!queue.isEmpty() || needsFlush) return null; // the output calls writable() when it can take more
        if (state == State.CLOSING) return finish(false);
        return nextFetch();
    }

    private byte[] take() {
        byte[] first = queue.poll();
        long taken = first.length;
        byte[] batch = first;
        if (!queue.isEmpty() && first.length < MAX_WRITE_BYTES) {
            var joined = new java.io.ByteArrayOutputStream(Math.min(MAX_WRITE_BYTES * 2, (int) queuedBytes));
            joined.writeBytes(first);
            while (!queue.isEmpty() && joined.size() + queue.peek().length <= MAX_WRITE_BYTES) {
                byte[] next = queue.poll();
                joined.writeBytes(next);
                taken += next.length;
            }
            batch = joined.toByteArray();
        }
        queuedBytes -= taken;
        exemptBytes = Math.max(0, exemptBytes - taken);
        return batch;
    }

    /** Asks the processors for what is missing once what waits is written (backing off after fruitless answers). */
    private Runnable nextFetch() {
        if (state != State.OPEN || retryScheduled || !cursor.needsFetch()) return null;
        int fruitless = cursor.fruitless();
        if (fruitless == 0) {
            fetch();
            return null;
        }
        if (fruitless > MAX_FRUITLESS) {
            return close(End.STALLED, "the events after " + cursor.last() + " cannot be read now; reconnect");
        }
        long delay = Math.min(2_000, 50L << Math.min(fruitless, 6));
        retryScheduled = later(this::retry, delay);
        return retryScheduled ? null : end(End.SHUTDOWN, false);
    }

    private void retry() {
        synchronized (this) {
            retryScheduled = false;
            if (state == State.OPEN && queue.isEmpty() && !needsFlush && cursor.needsFetch()) fetch();
        }
    }

    // ---- the streams' timer ----

    /** A tick of the streams' timer: the heartbeat of an idle stream, and the end at the token's expiry. */
    void tick(long nowNanos, Instant now) {
        Runnable after = null;
        synchronized (this) {
            if (state != State.OPEN) return;
            if (expiresAt != null && !now.isBefore(expiresAt)) {
                after = close(End.TOKEN_EXPIRED, "the token has expired: reconnect with a fresh one and Last-Event-ID");
            } else if (queue.isEmpty() && !needsFlush && nowNanos - lastWriteNanos >= heartbeatNanos) {
                enqueue(Sse.comment("heartbeat"), false);
                after = progress();
            }
        }
        run(after);
    }

    // ---- ending ----

    /** Ends the stream cleanly: says why in a comment, writes what waits, then ends the response. */
    Runnable close(End why, String comment) {
        if (state == State.OPENING) return refuse(503, "Service unavailable", "the gateway is shutting down", null);
        if (state != State.OPEN) return null;
        state = State.CLOSING;
        unsubscribe();
        events.ended(this, why);
        enqueue(Sse.comment(comment), true);
        if (!later(this::forceEnd, CLOSE_GRACE_MILLIS)) return finish(true);
        return progress();
    }

    /** Closes the stream from outside (the gateway stops). */
    void shutdown() {
        Runnable after;
        synchronized (this) {
            after = close(End.SHUTDOWN, "the gateway is shutting down: reconnect with Last-Event-ID");
        }
        run(after);
    }

    /** A stream that could not write its last bytes in time is dropped. */
    private void forceEnd() {
        Runnable after;
        synchronized (this) {
            after = state == State.CLOSING ? finish(true) : null;
        }
        run(after);
    }

    private Runnable refuse(int status, String title, String detail, Throwable cause) {
        Runnable ended = end(End.ANSWERED, false);
        return () -> {
            if (ended != null) ended.run();
            exchange.refuse(status, title, detail, cause);
            finished.complete(null);
        };
    }

    /**
     * Ends the stream now: unsubscribes and forgets what waits. The returned action (run outside the lock) ends the
     * response: {@code clean}ly only if nothing waits.
     */
    private Runnable end(End why, boolean clean) {
        if (state == State.ENDED) return null;
        boolean wasClosing = state == State.CLOSING;
        boolean committed = state != State.OPENING;
        state = State.ENDED;
        unsubscribe();
        if (!wasClosing) events.ended(this, why);
        boolean abort = !clean || !queue.isEmpty() || needsFlush;
        queue.clear();
        queuedBytes = 0;
        exemptBytes = 0;
        if (!committed) return null; // the caller answers (refuse), which completes the exchange
        return () -> finishExchange(abort);
    }

    private Runnable finish(boolean abort) {
        if (state == State.ENDED) return null;
        state = State.ENDED;
        queue.clear();
        return () -> finishExchange(abort);
    }

    private void finishExchange(boolean abort) {
        try {
            exchange.finish(abort);
        } finally {
            finished.complete(null);
        }
    }

    /** Completes once the exchange has been answered and ended, whichever way. */
    CompletableFuture<Void> finished() {
        return finished;
    }

    private void unsubscribe() {
        if (subscription != null) subscription.close();
    }

    private static void run(Runnable after) {
        if (after != null) after.run();
    }

    /** Bytes waiting for the client (for tests). */
    synchronized long queuedBytes() {
        return queuedBytes;
    }
}
