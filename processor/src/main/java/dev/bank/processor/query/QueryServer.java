package dev.bank.processor.query;

import dev.bank.observability.HttpErrors;
import dev.bank.observability.HttpListener;
import dev.bank.observability.InternalApi;
import dev.bank.observability.InternalApi.Paths;
import dev.bank.observability.InternalApi.Viewer;
import dev.bank.observability.Observability;
import dev.bank.observability.PathIds;
import dev.bank.schemas.Json;
import dev.bank.schemas.Problem;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The processor's internal HTTP API over its stores; it is the {@code application.server} every instance
 * publishes, so the gateway can ask any instance about any account.
 * <ul>
 *   <li>{@code GET /internal/accounts/{accountId}}: the account (balance in minor units, currency, status)</li>
 *   <li>{@code GET /internal/accounts/{accountId}/transactions/{transactionId}}: the outcome of a processed command</li>
 *   <li>{@code GET /internal/accounts/{accountId}/transfers/{transferId}}: a transfer as that account sees it</li>
 *   <li>{@code GET /internal/accounts/{accountId}/holds}: the account's active holds; {@code /holds/{holdId}}: one
 *       hold, active or ended</li>
 *   <li>{@code GET /internal/accounts/{accountId}/history?from=&to=&limit=&cursor=}: postings, newest first</li>
 *   <li>{@code GET /internal/accounts/{accountId}/statements/{yyyy-MM}}: the month's statement</li>
 *   <li>{@code GET /internal/accounts/{accountId}/events?after=&limit=}: the account's kept events after a
 *       sequence, oldest first</li>
 *   <li>{@code GET /internal/accounts/{accountId}/reviews?status=&limit=}: the account's fraud reviews, oldest first;
 *       {@code /reviews/{reviewId}}: one review, pending or ended</li>
 *   <li>{@code GET /internal/reviews?status=&limit=}: the review queue (default: PENDING) of every account on every
 *       instance, oldest first; whole or 503, never a part of it</li>
 *   <li>{@code GET /internal/partitions}: which instance (by query URL) holds which partition of the commands topic,
 *       active and standby, with the partition count and a version of the assignment ({@code PartitionOwners}), so
 *       a gateway can send each read to the account's owner</li>
 * </ul>
 * Fraud reviews are told only to admins and our services: a customer's question about them is a 404.
 * 404 means the key is certainly absent; 503 with {@code Retry-After} means ask again shortly; 421 answers a
 * question marked {@code forwarded=true} (not to be passed on) about an account another instance owns. The same port
 * serves {@code /metrics}, {@code /health/live} and {@code /health/ready} for operators.
 */
public final class QueryServer implements AutoCloseable {
    private final Javalin app;
    private volatile InetSocketAddress listenOn;

    /**
     * @param registry  served at {@code /metrics}
     * @param readiness    the checks behind {@code /health/ready}
     * @param serviceToken the credential every {@code /internal/} request must carry ({@link InternalApi})
     */
    public QueryServer(StoreQueries queries, PrometheusMeterRegistry registry, Map<String, Observability.Check> readiness,
                       String serviceToken) {
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            HttpListener.install(config, () -> listenOn);
            InternalApi.protect(config, serviceToken);
            Observability.install(config, registry, readiness);
            PathIds.install(config, (route, params) -> Problem.of(404, "Not found", "nothing for "
                    + Problem.excerpt(String.valueOf(params.get("accountId")))));
            config.routes.get(Paths.ACCOUNT, ctx -> respond(ctx,
                    queries.account(ctx.pathParam("accountId"), Viewer.of(ctx), forwarded(ctx)),
                    "account " + ctx.pathParam("accountId") + " does not exist"));
            config.routes.get(Paths.OUTCOME, ctx -> respond(ctx,
                    queries.outcome(ctx.pathParam("accountId"), ctx.pathParam("transactionId"), Viewer.of(ctx),
                            forwarded(ctx)),
                    "no processed transaction " + ctx.pathParam("transactionId")
                            + " for account " + ctx.pathParam("accountId")));
            config.routes.get(Paths.TRANSFER, ctx -> respond(ctx,
                    queries.transfer(ctx.pathParam("accountId"), ctx.pathParam("transferId"), Viewer.of(ctx),
                            forwarded(ctx)),
                    "no transfer " + ctx.pathParam("transferId") + " on account " + ctx.pathParam("accountId")));
            config.routes.get(Paths.HOLDS, ctx -> respond(ctx,
                    queries.holds(ctx.pathParam("accountId"), Viewer.of(ctx), forwarded(ctx)),
                    "account " + ctx.pathParam("accountId") + " does not exist"));
            config.routes.get(Paths.HOLD, ctx -> respond(ctx,
                    queries.hold(ctx.pathParam("accountId"), ctx.pathParam("holdId"), Viewer.of(ctx), forwarded(ctx)),
                    "no hold " + ctx.pathParam("holdId") + " on account " + ctx.pathParam("accountId")));
            config.routes.get(Paths.HISTORY, ctx -> respond(ctx,
                    queries.history(ctx.pathParam("accountId"), ctx.queryParam("from"), ctx.queryParam("to"),
                            limit(ctx.queryParam("limit")), ctx.queryParam("cursor"), Viewer.of(ctx), forwarded(ctx)),
                    "account " + ctx.pathParam("accountId") + " does not exist"));
            config.routes.get(Paths.STATEMENT, ctx -> respond(ctx,
                    queries.statement(ctx.pathParam("accountId"), ctx.pathParam("month"), Viewer.of(ctx),
                            forwarded(ctx)),
                    "account " + ctx.pathParam("accountId") + " does not exist"));
            config.routes.get(Paths.EVENTS, ctx -> respond(ctx,
                    queries.events(ctx.pathParam("accountId"), ctx.queryParam("after"),
                            limit(ctx.queryParam("limit")), Viewer.of(ctx), forwarded(ctx)),
                    "account " + ctx.pathParam("accountId") + " does not exist"));
            config.routes.get(Paths.REVIEWS, ctx -> respond(ctx,
                    queries.reviews(ctx.pathParam("accountId"), ctx.queryParam("status"),
                            limit(ctx.queryParam("limit")), Viewer.of(ctx), forwarded(ctx)),
                    "account " + ctx.pathParam("accountId") + " does not exist"));
            config.routes.get(Paths.REVIEW, ctx -> respond(ctx,
                    queries.review(ctx.pathParam("accountId"), ctx.pathParam("reviewId"), Viewer.of(ctx),
                            forwarded(ctx)),
                    "no fraud review " + ctx.pathParam("reviewId") + " on account " + ctx.pathParam("accountId")));
            config.routes.get(Paths.REVIEW_QUEUE, ctx -> respond(ctx,
                    queries.reviewQueue(ctx.queryParam("status"), limit(ctx.queryParam("limit")),
                            ctx.queryParam(StoreQueries.PARTITIONS_PARAM), Viewer.of(ctx), forwarded(ctx)),
                    "the review queue is for admins"));
            config.routes.exception(BadQueryException.class, (e, ctx) ->
                    problem(ctx, Problem.of(400, "Invalid query", e.getMessage())));
            config.routes.get(Paths.HEALTH, ctx -> ctx.result("ok"));
            config.routes.get(Paths.PARTITIONS, ctx -> ctx.status(200).contentType("application/json")
                    .result(Json.bytes(queries.assignment())));
            config.routes.exception(MisdirectedException.class, (e, ctx) ->
                    problem(ctx, Problem.of(InternalApi.MISDIRECTED, "Misdirected request", e.getMessage())));
            config.routes.exception(NotReadyException.class, (e, ctx) -> {
                ctx.header("Retry-After", "1");
                problem(ctx, Problem.of(503, "Not ready", e.getMessage()));
            });
        });
    }

    public QueryServer start(String host, int port) {
        listenOn = new InetSocketAddress(host, port);
        app.start();
        return this;
    }

    public int port() {
        return app.port();
    }

    private static Integer limit(String text) {
        if (text == null) return null;
        if (!text.matches("[0-9]{1,4}")) {
            throw new BadQueryException("limit must be a whole number, was " + Problem.excerpt(text));
        }
        return Integer.parseInt(text);
    }

    private static boolean forwarded(Context ctx) {
        return "true".equals(ctx.queryParam(StoreQueries.FORWARDED_PARAM));
    }

    /**
     * Writes the answer when it arrives (at once when this instance owns the account); a {@link NotReadyException}
     * it fails with reaches the exception handler like a thrown one (503).
     */
    /** The JSON of an answer (this instance's own, or the owner's as it wrote it), or the 404. */
    private static void respond(Context ctx, CompletableFuture<Optional<byte[]>> answer, String notFound) {
        ctx.future(() -> answer.thenAccept(body -> body.ifPresentOrElse(
                json -> ctx.status(200).contentType("application/json").result(json),
                () -> problem(ctx, Problem.of(404, "Not found", notFound)))));
    }

    static void problem(Context ctx, Problem problem) {
        HttpErrors.write(ctx, problem);
    }

    @Override
    public void close() {
        app.stop();
    }
}
