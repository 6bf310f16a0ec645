package dev.bank.observability;

import dev.bank.schemas.Ids;
import dev.bank.schemas.Problem;
import io.javalin.config.JavalinConfig;

import java.util.Map;

/**
 * Ids in paths are checked before any route runs, on every route at once (a new route cannot forget it): an
 * {@code accountId}, {@code transactionId}, {@code transferId}, {@code holdId}, {@code reviewId} or {@code webhookId} that breaks the id
 * rules ({@link Ids}) names nothing that can exist, so it is answered with the route's own "not found", exactly as for
 * an id that could exist but does not. Nothing can be learnt by probing, and no junk reaches a store or another
 * service.
 */
public final class PathIds {
    /** The 404 a route answers for what is not there, given the route's template and its path parameters. */
    @FunctionalInterface
    public interface NotFound {
        Problem problem(String route, Map<String, String> pathParams);
    }

    private PathIds() {}

    public static void install(JavalinConfig config, NotFound notFound) {
        config.router.handlerWrapper(endpoint -> {
            // Only the routes themselves: Javalin wraps before- and after-handlers too, where the template is "*".
            // There the check would answer an account's 404 in place of the route's, and stand in for what those
            // handlers do (authentication first: a request without a valid token is a 401 whatever its ids).
            if (!endpoint.method.isHttpMethod()) return endpoint.handler;
            return ctx -> {
                Map<String, String> params = ctx.pathParamMap();
                if (!params.isEmpty() && !valid(params)) {
                    HttpErrors.write(ctx, notFound.problem(endpoint.path, params));
                    return;
                }
                endpoint.handler.handle(ctx);
            };
        });
    }

    static boolean valid(Map<String, String> params) {
        for (Map.Entry<String, String> p : params.entrySet()) {
            boolean ok = switch (p.getKey()) {
                case "accountId" -> Ids.validAccountId(p.getValue());
                case "transactionId", "transferId", "holdId", "reviewId" -> Ids.validTransactionId(p.getValue());
                case "webhookId" -> Ids.validWebhookId(p.getValue());
                default -> true;
            };
            if (!ok) return false;
        }
        return true;
    }
}
