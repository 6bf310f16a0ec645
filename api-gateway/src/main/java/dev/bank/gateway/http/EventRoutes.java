package dev.bank.gateway.http;

import dev.bank.gateway.events.EventCursor;
import dev.bank.gateway.events.EventStream;
import dev.bank.gateway.events.LiveEvents;
import dev.bank.gateway.events.Sse;
import dev.bank.gateway.kafka.ProcessorClient;
import dev.bank.observability.HttpErrors;
import dev.bank.observability.InternalApi.Viewer;
import dev.bank.schemas.Problem;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.EofException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code GET /accounts/{accountId}/events}: the account's events as server-sent events (docs/api.md#live-events), for
 * its owner or an admin; anyone else's account is 404 as on every read. Where the stream starts: after the
 * {@code Last-Event-ID} header (what an EventSource sends when it reconnects), else after {@code ?after=}, else at
 * the account's newest event (new events only). Either is an event sequence: 1 to 18 digits (as the processors read
 * it), at most the account's newest; anything else is 400.
 *
 * <p>Javalin's own SSE support ({@code SseClient}) is not used: it commits 200 before its handler runs, so an account
 * that is not the caller's could not be answered 404 after the processors said so, and it writes blocking, so a client
 * that does not read would hold the thread that writes to it. Here the exchange is answered asynchronously, and once
 * the stream is open it writes with the Servlet API's non-blocking output ({@link EventStream}).
 */
final class EventRoutes {
    private static final Logger log = LoggerFactory.getLogger(EventRoutes.class);
    static final String LAST_EVENT_ID = "Last-Event-ID";
    static final String AFTER = "after";
    private static final String START_RULE = "must be an event sequence: a whole number from 0, at most 18 digits";

    private final LiveEvents live;
    private final ProcessorClient processors;
    private final Access access;

    EventRoutes(LiveEvents live, ProcessorClient processors, Access access) {
        this.live = live;
        this.processors = processors;
        this.access = access;
    }

    void stream(Context ctx) {
        String accountId = ctx.pathParam("accountId");
        Start start = start(ctx);
        String notNow = live.problem();
        if (notNow != null) {
            ctx.header("Retry-After", "1");
            HttpErrors.write(ctx, Problem.of(503, "Service unavailable", "live events cannot be streamed right now: "
                    + notNow));
            return;
        }
        Viewer viewer = Access.viewer(ctx);
        LiveEvents.Admission admission;
        try {
            admission = live.admit(viewer.principal());
        } catch (LiveEvents.RefusedException e) {
            ctx.header("Retry-After", "1");
            HttpErrors.write(ctx, Problem.of(e.status(), e.status() == 429 ? "Too many requests"
                    : "Service unavailable", e.getMessage()));
            return;
        }
        // a stream lasts as long as its client stays: it counts against the streams' limits, not the requests'
        access.releaseSlot(ctx);
        Exchange exchange = new Exchange(ctx, accountId, start.field());
        java.time.Instant expires = Access.tokenExpiry(ctx);
        boolean head = ctx.method() == HandlerType.HEAD;
        ctx.future(() -> {
            // the account first, as every read of it: another's is 404, whatever its events would say
            processors.account(accountId, viewer).whenComplete((account, error) -> {
                if (error != null || account.isEmpty()) {
                    admission.release();
                    exchange.refuse(error != null ? 503 : 404, null, null, error);
                    return;
                }
                EventCursor cursor = start.after() == null ? EventCursor.newOnly() : EventCursor.after(start.after());
                try {
                    live.open(admission, accountId, viewer::maySee, cursor,
                            (after, limit) -> processors.events(accountId, after, limit, viewer), exchange, expires,
                            head);
                } catch (RuntimeException e) {
                    // a bug: answered (and logged) rather than left hanging with its place taken
                    log.error("live stream of {} could not open", accountId, e);
                    admission.release();
                    if (!exchange.done.isDone()) exchange.refuse(503, null, null, e);
                }
            });
            return exchange.done;
        });
    }

    /** Where a stream starts, and the field that said so (for a 400 naming it). */
    private record Start(Long after, String field) {}

    /** The header wins: an EventSource reconnecting sends it with the URL it first used, {@code ?after=} included. */
    private static Start start(Context ctx) {
        String header = ctx.header(LAST_EVENT_ID);
        if (header != null && !header.isBlank()) {
            return new Start(sequence(LAST_EVENT_ID, header.trim()), LAST_EVENT_ID);
        }
        String query = ctx.queryParam(AFTER);
        if (query != null) return new Start(sequence(AFTER, query), AFTER);
        return new Start(null, LAST_EVENT_ID);
    }

    private static long sequence(String field, String text) {
        if (text.isEmpty() || text.length() > 18 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new InvalidRequestException(Map.of(field, START_RULE));
        }
        return Long.parseLong(text);
    }

    /** The HTTP side of one stream: its answers, its non-blocking output, and its end. */
    private static final class Exchange implements EventStream.Exchange {
        private final Context ctx;
        private final String accountId;
        private final String startField;
        final CompletableFuture<Void> done = new CompletableFuture<>();

        Exchange(Context ctx, String accountId, String startField) {
            this.ctx = ctx;
            this.accountId = accountId;
            this.startField = startField;
        }

        private HttpServletResponse headers() {
            HttpServletResponse res = ctx.res();
            res.setStatus(200);
            res.setContentType(Sse.CONTENT_TYPE);
            res.setHeader("Cache-Control", "no-cache, no-store");
            res.setHeader("X-Accel-Buffering", "no");
            return res;
        }

        @Override
        public EventStream.Output open(EventStream stream) {
            try {
                ServletOutputStream out = headers().getOutputStream();
                out.setWriteListener(new WriteListener() {
                    @Override
                    public void onWritePossible() {
                        stream.writable();
                    }

                    @Override
                    public void onError(Throwable t) {
                        stream.failed(t);
                    }
                });
                return new EventStream.Output() {
                    @Override
                    public boolean isReady() {
                        return out.isReady();
                    }

                    @Override
                    public void write(byte[] bytes) throws IOException {
                        out.write(bytes);
                    }

                    @Override
                    public void flush() throws IOException {
                        out.flush();
                    }
                };
            } catch (IOException e) {
                throw new IllegalStateException("the response of a live stream has no output", e);
            }
        }

        @Override
        public void headOnly() {
            headers();
            done.complete(null);
        }

        @Override
        public void refuse(int status, String title, String detail, Throwable cause) {
            Problem problem = switch (status) {
                case 404 -> NotFound.account(accountId);
                case 400 -> Problem.of(400, "Invalid request", "the request has invalid fields")
                        .withErrors(Map.of(startField, detail == null ? START_RULE : detail));
                default -> {
                    ctx.header("Retry-After", "1");
                    if (cause != null) log.info("live stream of {} not opened: {}", accountId, cause.toString());
                    yield Problem.of(status, title == null ? "Service unavailable" : title, detail != null ? detail
                            : "the account's events cannot be read right now; retry shortly");
                }
            };
            HttpErrors.write(ctx, problem);
            done.complete(null);
        }

        @Override
        public void finish(boolean abort) {
            // Javalin finishes the exchange (its after-handlers read the request) before the connection is dropped:
            // dropped first, the request is recycled under them, and they fail in a loop on a null request
            EndPoint connection = abort ? connection() : null;
            done.complete(null);
            if (connection != null) connection.close(new EofException("live stream ended"));
        }

        /** The connection of a client that takes nothing more: dropped, whatever waits to be written to it. */
        private EndPoint connection() {
            try {
                return ServletContextRequest.getServletContextRequest(ctx.req()).getConnectionMetaData()
                        .getConnection().getEndPoint();
            } catch (RuntimeException e) {
                log.debug("the connection of a live stream of {} is already gone: {}", accountId, e.toString());
                return null;
            }
        }
    }
}
