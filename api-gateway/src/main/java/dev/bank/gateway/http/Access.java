package dev.bank.gateway.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.bank.gateway.auth.ApiSecurity;
import dev.bank.gateway.auth.InvalidTokenException;
import dev.bank.gateway.auth.Principal;
import dev.bank.gateway.auth.Scope;
import dev.bank.gateway.auth.TokenVerifier;
import dev.bank.observability.HttpErrors;
import dev.bank.observability.InternalApi.Viewer;
import dev.bank.schemas.Problem;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.router.Endpoint;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;

/**
 * Who may call what. Every route has exactly one rule ({@link Rule}); a route without one is refused (closed by
 * default: a new route cannot ship unprotected, and {@code SecurityIT} walks every route the app serves). Before a
 * protected route runs: a valid bearer token (RFC 6750; 401 with {@code WWW-Authenticate} otherwise), the scope the
 * rule needs (403 {@code insufficient_scope}), the principal's rate (429 with {@code Retry-After}), and room in the
 * gateway (503 with {@code Retry-After}, shedding load before the gateway falls over). Answers about accounts are
 * {@code Cache-Control: no-store}. The token itself is never logged or echoed.
 */
final class Access {
    private static final Logger log = LoggerFactory.getLogger(Access.class);
    private static final String PRINCIPAL = "bank.principal";
    private static final String HOLDS_SLOT = "bank.in-flight";
    private static final String EXPIRES = "bank.token-expires";
    private static final String REALM = "Bearer realm=\"bank\"";

    /** What a route needs: nothing (health, the API description), or a token with a scope. */
    enum Rule {
        PUBLIC(null), READ(Scope.READ), WRITE(Scope.WRITE), ADMIN(Scope.ADMIN);

        final Scope scope;

        Rule(Scope scope) {
            this.scope = scope;
        }
    }

    private final Map<String, Rule> rules = new LinkedHashMap<>();
    private final List<String> publicFiles = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final TokenVerifier tokens;
    private final RateLimiterConfig rate;
    private final Cache<String, RateLimiter> limiters = Caffeine.newBuilder().maximumSize(100_000)
            .expireAfterAccess(Duration.ofMinutes(10)).build();
    private final Semaphore inFlight;
    private final Counter refused;
    private final Counter limited;

    Access(ApiSecurity security, MeterRegistry registry) {
        this.tokens = new TokenVerifier(security.auth());
        this.rate = RateLimiterConfig.custom().limitForPeriod(security.ratePerSecond())
                .limitRefreshPeriod(Duration.ofSeconds(1)).timeoutDuration(Duration.ZERO).build();
        this.inFlight = new Semaphore(security.maxInFlight());
        this.refused = Counter.builder("bank.gateway.auth.refused")
                .description("Requests refused for want of a valid token or scope").register(registry);
        this.limited = Counter.builder("bank.gateway.limited")
                .description("Requests refused by a principal's rate limit or the gateway's capacity")
                .register(registry);
    }

    /** Declares the rule of a route; every route the app serves needs one. */
    void rule(HandlerType method, String path, Rule rule) {
        rules.put(method.name() + " " + path, rule);
    }

    /** Static files under {@code prefix} (no route of ours: Javalin serves them) are public. */
    void publicFiles(String prefix) {
        publicFiles.add(prefix);
    }

    Map<String, Rule> rules() {
        return Collections.unmodifiableMap(rules);
    }

    void install(JavalinConfig config, ApiSecurity security) {
        config.routes.beforeMatched(this::check);
        config.routes.afterMatched(ctx -> {
            if (ctx.attribute(HOLDS_SLOT) != null) inFlight.release();
        });
        if (!security.corsOrigins().isEmpty()) {
            String first = security.corsOrigins().get(0);
            String[] more = security.corsOrigins().subList(1, security.corsOrigins().size()).toArray(String[]::new);
            config.bundledPlugins.enableCors(cors -> cors.addRule(rule -> rule.allowHost(first, more)));
        }
    }

    /** The principal a request acts for; only on routes whose rule needs a token. */
    static Principal principal(Context ctx) {
        Principal principal = ctx.attribute(PRINCIPAL);
        if (principal == null) throw new IllegalStateException("no principal on " + ctx.path());
        return principal;
    }

    /** Who a read is asked for, as the processors' query API takes it. */
    static Viewer viewer(Context ctx) {
        Principal principal = principal(ctx);
        return new Viewer(principal.subject(), principal.admin());
    }

    private void check(Context ctx) {
        // the route that matched (ctx.endpoint() is this before-handler); Javalin serves HEAD with a GET route
        Endpoint endpoint = ctx.endpoints().matchedHttpEndpoint();
        if (endpoint == null) endpoint = ctx.endpoints().lastHttpEndpoint();
        String method = endpoint == null || endpoint.method == HandlerType.HEAD ? HandlerType.GET.name()
                : endpoint.method.name();
        String path = endpoint == null ? ctx.path() : endpoint.path;
        if (endpoint == null && (ctx.method() == HandlerType.GET || ctx.method() == HandlerType.HEAD)
                && publicFiles.stream().anyMatch(path::startsWith)) {
            return;
        }
        Rule rule = rules.get(method + " " + path);
        if (rule == null) {
            log.error("no access rule for {} {}: refused", method, path);
            stop(ctx, Problem.of(403, "Forbidden", "this route has no access rule"));
            return;
        }
        if (rule == Rule.PUBLIC) return;
        ctx.header("Cache-Control", "no-store");
        String authorization = ctx.header("Authorization");
        if (authorization == null || authorization.isBlank()) {
            refused.increment();
            ctx.header("WWW-Authenticate", REALM);
            stop(ctx, Problem.of(401, "Unauthorized", "a bearer token is required (Authorization: Bearer <token>)"));
            return;
        }
        Principal principal;
        java.time.Instant expires;
        try {
            if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                throw new InvalidTokenException("the Authorization header is not a bearer token");
            }
            TokenVerifier.Verified verified = tokens.check(authorization.substring(7).trim());
            principal = verified.principal();
            expires = verified.expires();
        } catch (InvalidTokenException e) {
            refused.increment();
            ctx.header("WWW-Authenticate", REALM + ", error=\"invalid_token\", error_description=\""
                    + e.getMessage().replace('"', '\'') + "\"");
            stop(ctx, Problem.of(401, "Unauthorized", "the bearer token is not valid: " + e.getMessage()));
            return;
        }
        if (!principal.has(rule.scope)) {
            refused.increment();
            ctx.header("WWW-Authenticate", REALM + ", error=\"insufficient_scope\", scope=\"" + rule.scope.value() + "\"");
            stop(ctx, Problem.of(403, "Forbidden", "this needs the scope " + rule.scope.value()));
            return;
        }
        RateLimiter limiter = limiters.get(principal.subject(), subject -> RateLimiter.of(subject, rate));
        if (!limiter.acquirePermission()) {
            limited.increment();
            ctx.header("Retry-After", "1");
            stop(ctx, Problem.of(429, "Too many requests", "more than " + rate.getLimitForPeriod()
                    + " requests a second for this principal; retry after a second"));
            return;
        }
        if (!inFlight.tryAcquire()) {
            limited.increment();
            ctx.header("Retry-After", "1");
            stop(ctx, Problem.of(503, "Service unavailable", "the gateway is at capacity; retry shortly"));
            return;
        }
        ctx.attribute(HOLDS_SLOT, Boolean.TRUE);
        ctx.attribute(PRINCIPAL, principal);
        ctx.attribute(EXPIRES, expires);
    }

    /** When the request's bearer token expires; only on routes whose rule needs a token. */
    static java.time.Instant tokenExpiry(Context ctx) {
        return ctx.attribute(EXPIRES);
    }

    /**
     * Gives back the request's place among those the gateway holds at once, before the request ends: a live stream,
     * which lasts as long as its client stays, counts against the streams' own limits instead.
     */
    void releaseSlot(Context ctx) {
        if (ctx.attribute(HOLDS_SLOT) != null) {
            ctx.attribute(HOLDS_SLOT, null);
            inFlight.release();
        }
    }

    /** Requests the gateway holds right now. */
    int inFlight(int capacity) {
        return capacity - inFlight.availablePermits();
    }

    private static void stop(Context ctx, Problem problem) {
        HttpErrors.write(ctx, problem);
        ctx.skipRemainingHandlers();
    }
}
