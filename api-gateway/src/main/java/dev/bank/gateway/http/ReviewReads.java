package dev.bank.gateway.http;

import dev.bank.gateway.kafka.ProcessorClient;
import dev.bank.observability.HttpErrors;
import dev.bank.schemas.Json;
import dev.bank.schemas.Problem;
import dev.bank.schemas.ReviewStatus;
import io.javalin.http.Context;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The admin's read routes over fraud reviews, served by the processors' reviews store: the review queue of every
 * account (gathered from every processor, whole or 503), one account's reviews, and one review with what the rules
 * found. What the rules found names rules and thresholds, so these routes are the admin's only (and the processors
 * tell no one else either). Parameters are checked here so a client gets a 400 naming the field.
 */
final class ReviewReads {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    private final ProcessorClient processors;

    ReviewReads(ProcessorClient processors) {
        this.processors = processors;
    }

    /** {@code GET /reviews?status=&limit=}: the queue, PENDING unless another status is asked for, oldest first. */
    void queue(Context ctx) {
        Map<String, String> params = params(ctx, ReviewStatus.PENDING);
        BankApi.answer(ctx, processors.reviewQueue(params, Access.viewer(ctx)),
                list -> json(ctx, Responses.reviews(list)),
                // the processors answer the queue to every admin; nothing there means they were not asked right
                () -> {
                    ctx.header("Retry-After", "1");
                    HttpErrors.write(ctx, Problem.of(503, "Service unavailable", "the review queue did not answer"));
                });
    }

    /** {@code GET /accounts/{accountId}/reviews?status=&limit=}: the account's reviews, every status unless asked. */
    void ofAccount(Context ctx) {
        String accountId = ctx.pathParam("accountId");
        BankApi.answer(ctx, processors.reviews(accountId, params(ctx, null), Access.viewer(ctx)),
                list -> json(ctx, Responses.reviews(list)),
                () -> HttpErrors.write(ctx, NotFound.account(accountId)));
    }

    /** {@code GET /accounts/{accountId}/reviews/{reviewId}}. */
    void review(Context ctx) {
        String accountId = ctx.pathParam("accountId");
        String reviewId = ctx.pathParam("reviewId");
        BankApi.answer(ctx, processors.review(accountId, reviewId, Access.viewer(ctx)),
                review -> json(ctx, Responses.review(review)),
                () -> HttpErrors.write(ctx, NotFound.review(accountId, reviewId)));
    }

    /** status (a {@link ReviewStatus}, any case; {@code fallback} when absent) and limit (1 to 1000), checked. */
    static Map<String, String> params(Context ctx, ReviewStatus fallback) {
        return params(ctx.queryParam("status"), ctx.queryParam("limit"), fallback);
    }

    static Map<String, String> params(String status, String limit, ReviewStatus fallback) {
        Map<String, String> errors = new LinkedHashMap<>();
        Map<String, String> params = new LinkedHashMap<>();
        if (status != null) {
            ReviewStatus known = null;
            for (ReviewStatus s : ReviewStatus.values()) {
                if (s.name().equals(status.toUpperCase(Locale.ROOT))) known = s;
            }
            if (known == null) errors.put("status", "must be PENDING, APPROVED, REJECTED or EXPIRED");
            else params.put("status", known.name());
        } else if (fallback != null) {
            params.put("status", fallback.name());
        }
        if (limit != null) {
            if (!limit.matches("[0-9]{1,4}") || Integer.parseInt(limit) < 1 || Integer.parseInt(limit) > MAX_LIMIT) {
                errors.put("limit", "must be a whole number from 1 to " + MAX_LIMIT);
            } else {
                params.put("limit", String.valueOf(Integer.parseInt(limit)));
            }
        }
        if (!errors.isEmpty()) throw new InvalidRequestException(errors);
        return params;
    }

    private static void json(Context ctx, Object body) {
        ctx.status(200).contentType("application/json").result(Json.answer(body));
    }
}
