package dev.bank.gateway.http;

import dev.bank.gateway.auth.Principal;
import dev.bank.gateway.config.WebhookSettings;
import dev.bank.gateway.http.Access.Rule;
import dev.bank.gateway.kafka.WebhookStore;
import dev.bank.observability.HttpErrors;
import dev.bank.observability.Urls;
import dev.bank.observability.WebhookTargets;
import dev.bank.schemas.AccountEventType;
import dev.bank.schemas.Ids;
import dev.bank.schemas.Json;
import dev.bank.schemas.Problem;
import dev.bank.schemas.WebhookReplay;
import dev.bank.schemas.WebhookSubscription;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Webhook subscriptions ({@code /webhooks}): a customer's own, or any for an admin. A customer sees and touches only
 * the subscriptions they created; another's answers 404, exactly like one that does not exist. Creating one checks its
 * URL against the SSRF rules ({@link WebhookTargets}: the host is resolved, off the server's threads) and answers the
 * subscription with its secret, the only time the secret is shown. Writes answer once this gateway's own view has them,
 * so a read right after a write sees it. The delivery itself is the notifier's.
 * <ul>
 *   <li>{@code POST /webhooks} {@code {url, eventTypes?, accountIds?, secret?, description?}}: 201 and Location</li>
 *   <li>{@code GET /webhooks?owner=&limit=}: the caller's subscriptions (an admin's: everyone's, or one owner's)</li>
 *   <li>{@code GET /webhooks/{webhookId}}, {@code DELETE /webhooks/{webhookId}} (204)</li>
 *   <li>{@code POST /webhooks/{webhookId}/replay} {@code {since?}}: 202, the notifier delivers the subscription's dead
 *       letters (written since then) again</li>
 * </ul>
 */
final class WebhookRoutes implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebhookRoutes.class);
    static final String WEBHOOKS = "/webhooks";
    static final String WEBHOOK = "/webhooks/{webhookId}";
    static final String REPLAY = "/webhooks/{webhookId}/replay";
    static final List<String> ROUTES = List.of(WEBHOOKS, WEBHOOK, REPLAY);
    /** How long resolving a subscription's host may take before the request is answered 503. */
    static final Duration RESOLVE_TIMEOUT = Duration.ofSeconds(5);

    /** Declares a route with its access rule, as {@link BankApi} does for every route. */
    @FunctionalInterface
    interface Routes {
        void add(HandlerType method, String path, Rule rule, Handler handler);
    }

    private final WebhookStore store;
    private final WebhookTargets targets;
    private final WebhookSettings settings;
    private final Clock clock;
    private final Duration writeTimeout;
    /** Creations under way per owner, so one gateway never lets an owner past the limit by racing requests. */
    private final Map<String, AtomicInteger> creating = new ConcurrentHashMap<>();
    /** Name resolution blocks: never on a server thread. */
    private final ExecutorService resolvers = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "webhook-resolver");
        t.setDaemon(true);
        return t;
    });

    WebhookRoutes(WebhookStore store, WebhookTargets targets, WebhookSettings settings, Clock clock,
                  Duration writeTimeout) {
        this.store = store;
        this.targets = targets;
        this.settings = settings;
        this.clock = clock;
        this.writeTimeout = writeTimeout;
    }

    void install(Routes routes) {
        routes.add(HandlerType.POST, WEBHOOKS, Rule.WRITE, this::create);
        routes.add(HandlerType.GET, WEBHOOKS, Rule.READ, this::list);
        routes.add(HandlerType.GET, WEBHOOK, Rule.READ, this::get);
        routes.add(HandlerType.DELETE, WEBHOOK, Rule.WRITE, this::delete);
        routes.add(HandlerType.POST, REPLAY, Rule.WRITE, this::replay);
    }

    private void create(Context ctx) {
        Principal principal = Access.principal(ctx);
        WebhookRequests.Create asked = WebhookRequests.create(ctx.bodyAsBytes());
        requireStore();
        AtomicInteger underWay = creating.computeIfAbsent(principal.subject(), k -> new AtomicInteger());
        long owned = store.all().stream().filter(s -> s.owner().equals(principal.subject())).count();
        if (owned + underWay.incrementAndGet() > settings.maxPerOwner()) {
            underWay.decrementAndGet();
            throw new RejectedRequestException(Problem.of(422, "Too many subscriptions", "a principal may have at most "
                    + settings.maxPerOwner() + " webhook subscriptions; delete one first"));
        }
        CompletableFuture<WebhookTargets.Verdict> checked = CompletableFuture
                .supplyAsync(() -> targets.check(asked.url()), resolvers)
                .orTimeout(RESOLVE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        ctx.future(() -> checked.thenCompose(verdict -> {
            if (!verdict.allowed()) {
                HttpErrors.write(ctx, Problem.of(400, "Invalid request", "the request has invalid fields")
                        .withErrors(Map.of("url", verdict.refusal())));
                return CompletableFuture.completedFuture(null);
            }
            WebhookSubscription subscription = new WebhookSubscription(WebhookRequests.newId(), principal.subject(),
                    principal.admin(), asked.url(), asked.eventTypes(), asked.accountIds(), asked.secret(),
                    asked.description(), clock.millis());
            return store.put(subscription).orTimeout(writeTimeout.toMillis(), TimeUnit.MILLISECONDS).thenRun(() -> {
                log.info("webhook {} created by {} -> {} types={} accounts={}", subscription.id(),
                        subscription.owner(), subscription.loggableUrl(), subscription.eventTypes(), subscription.accountIds());
                ctx.header("Location", url(subscription.id()));
                json(ctx, 201, body(subscription, true));
            });
        }).handle((done, error) -> {
            underWay.decrementAndGet();
            if (error != null) unavailable(ctx, "the subscription", error);
            return null;
        }));
    }

    private void list(Context ctx) {
        Principal principal = Access.principal(ctx);
        requireStore();
        String owner = ctx.queryParam("owner");
        if (owner != null && !Ids.validPrincipal(owner)) {
            throw new InvalidRequestException(Map.of("owner", Ids.PRINCIPAL_RULE));
        }
        int limit = limit(ctx.queryParam("limit"));
        List<WebhookSubscription> visible = store.all().stream()
                .filter(s -> principal.admin() ? owner == null || s.owner().equals(owner)
                        : s.owner().equals(principal.subject()) && (owner == null || owner.equals(principal.subject())))
                .sorted(Comparator.comparingLong(WebhookSubscription::createdAt).thenComparing(WebhookSubscription::id))
                .toList();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("webhooks", visible.stream().limit(limit).map(s -> body(s, false)).toList());
        answer.put("more", visible.size() > limit);
        json(ctx, 200, answer);
    }

    private void get(Context ctx) {
        requireStore();
        json(ctx, 200, body(visible(ctx), false));
    }

    private void delete(Context ctx) {
        requireStore();
        WebhookSubscription subscription = visible(ctx);
        ctx.future(() -> store.delete(subscription.id()).orTimeout(writeTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .handle((done, error) -> {
                    if (error != null) {
                        unavailable(ctx, "the deletion", error);
                    } else {
                        log.info("webhook {} deleted by {}", subscription.id(), Access.principal(ctx).subject());
                        ctx.status(204);
                    }
                    return null;
                }));
    }

    private void replay(Context ctx) {
        requireStore();
        WebhookSubscription subscription = visible(ctx);
        Instant now = clock.instant();
        Instant since = WebhookRequests.replaySince(ctx.bodyAsBytes(), now);
        WebhookReplay replay = new WebhookReplay("rp-" + UUID.randomUUID(), subscription.id(),
                since == null ? null : since.toEpochMilli(), Access.principal(ctx).subject(), now.toEpochMilli());
        ctx.future(() -> store.replay(replay).handle((done, error) -> {
            if (error != null) {
                unavailable(ctx, "the replay", error);
            } else {
                log.info("webhook {} replay {} of dead letters since {} asked by {}", subscription.id(),
                        replay.replayId(), since == null ? "the start" : since, replay.requestedBy());
                Map<String, Object> answer = new LinkedHashMap<>();
                answer.put("replayId", replay.replayId());
                answer.put("webhookId", subscription.id());
                if (since != null) answer.put("since", since.toString());
                answer.put("status", "accepted");
                json(ctx, 202, answer);
            }
            return null;
        }));
    }

    /** The subscription of the path if the caller may see it (its owner, or an admin); else the route's 404. */
    private WebhookSubscription visible(Context ctx) {
        String id = ctx.pathParam("webhookId");
        Principal principal = Access.principal(ctx);
        return store.get(id).filter(s -> principal.admin() || s.owner().equals(principal.subject()))
                .orElseThrow(() -> new RejectedRequestException(NotFound.webhook(id)));
    }

    private void requireStore() {
        String problem = store.problem();
        if (problem != null) {
            throw new RejectedRequestException(Problem.of(503, "Service unavailable", "webhook subscriptions are "
                    + problem + "; retry"));
        }
    }

    private static int limit(String text) {
        if (text == null) return 100;
        if (!text.matches("[0-9]{1,4}") || Integer.parseInt(text) < 1 || Integer.parseInt(text) > 1000) {
            throw new InvalidRequestException(Map.of("limit", "must be a whole number from 1 to 1000"));
        }
        return Integer.parseInt(text);
    }

    /** A subscription as the API shows it; the secret only in the answer to its creation. */
    static Map<String, Object> body(WebhookSubscription s, boolean withSecret) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", s.id());
        body.put("url", s.url());
        body.put("eventTypes", s.eventTypes().stream().map(AccountEventType::wireName).toList());
        body.put("accountIds", s.accountIds());
        if (s.description() != null) body.put("description", s.description());
        body.put("owner", s.owner());
        body.put("admin", s.admin());
        body.put("createdAt", Instant.ofEpochMilli(s.createdAt()).toString());
        if (withSecret) body.put("secret", s.secret());
        return body;
    }

    private static void unavailable(Context ctx, String what, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        log.warn("webhook write failed: {}", cause.toString());
        ctx.header("Retry-After", "1");
        HttpErrors.write(ctx, Problem.of(503, "Service unavailable", cause instanceof TimeoutException
                ? what + " was not confirmed in time; retry (it may have been made: read it back first)"
                : "Kafka did not take " + what + "; retry"));
    }

    private static void json(Context ctx, int status, Object body) {
        ctx.status(status).contentType("application/json").result(Json.answer(body));
    }

    @Override
    public void close() {
        resolvers.shutdownNow();
    }

    /** The URL of a subscription. */
    static String url(String id) {
        return WEBHOOKS + "/" + Urls.encode(id);
    }
}
