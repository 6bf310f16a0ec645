package dev.bank.gateway.http;

import dev.bank.gateway.auth.ApiSecurity;
import dev.bank.gateway.auth.Principal;
import dev.bank.gateway.auth.Scope;
import dev.bank.gateway.config.WebhookSettings;
import dev.bank.gateway.http.Access.Rule;
import dev.bank.gateway.events.LiveEvents;
import dev.bank.gateway.kafka.CommandPublisher;
import dev.bank.gateway.kafka.FxRateBook;
import dev.bank.gateway.kafka.OutcomeListener;
import dev.bank.gateway.kafka.ProcessorClient;
import dev.bank.gateway.kafka.WebhookStore;
import dev.bank.observability.HttpErrors;
import dev.bank.observability.HttpListener;
import dev.bank.observability.Observability;
import dev.bank.observability.PathIds;
import dev.bank.observability.Urls;
import dev.bank.observability.WebhookTargets;
import dev.bank.schemas.Command;
import dev.bank.schemas.Documents;
import dev.bank.schemas.CommandType;
import dev.bank.schemas.Json;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.OutcomeStatus;
import dev.bank.schemas.Problem;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The REST API. Writes become commands on Kafka and are answered with their outcome from the results topic;
 * reads come from the processors' stores. Requests wait asynchronously, so a slow outcome holds no server
 * thread.
 * <ul>
 *   <li>{@code POST /accounts} – open an account (201)</li>
 *   <li>{@code POST /transaction} – credit or debit (200, or 202 with a status URL when the outcome is late)</li>
 *   <li>{@code GET /balance/{accountId}}</li>
 *   <li>{@code GET /accounts/{accountId}/transactions/{transactionId}} – the outcome of a submitted command</li>
 *   <li>{@code POST /transfers} – move money between two accounts; answers once it completed or was refunded</li>
 *   <li>{@code GET /accounts/{accountId}/transfers/{transferId}} – a transfer as that account sees it</li>
 *   <li>{@code GET /accounts/{accountId}} – the account with its interest rate and accrued interest</li>
 *   <li>{@code PUT /accounts/{accountId}/interest-rate} – change the annual interest rate</li>
 *   <li>{@code PUT /accounts/{accountId}/limits} – overdraft limit, daily outflow limit, debit interest rate (admin)</li>
 *   <li>{@code POST /accounts/{accountId}/freeze}, {@code /unfreeze} (admin), {@code /close} (owner or admin)</li>
 *   <li>{@code POST /accounts/{accountId}/holds} – reserve funds; {@code GET} – the active holds</li>
 *   <li>{@code GET /accounts/{accountId}/holds/{holdId}}; {@code POST .../capture} (all or part), {@code .../void}</li>
 *   <li>{@code GET /accounts/{accountId}/transactions} – postings, newest first, paged</li>
 *   <li>{@code GET /accounts/{accountId}/statements/{yyyy-MM}} – a monthly statement: JSON, CSV or PDF</li>
 *   <li>{@code POST /fx/quotes} – a pair's current exchange rate as a quote a transfer can name;
 *       {@code GET /fx/rates} – every pair's; {@code POST /fx/rates} – publish one (admin)</li>
 *   <li>{@code GET /reviews?status=&limit=} – the fraud review queue of every account, oldest first (admin)</li>
 *   <li>{@code GET /accounts/{accountId}/reviews} – the account's fraud reviews; {@code /reviews/{reviewId}} – one,
 *       with what the rules found and the payment it holds (admin)</li>
 *   <li>{@code POST /accounts/{accountId}/reviews/{reviewId}/approve}, {@code /reject} – end a review (admin)</li>
 *   <li>{@code PUT /accounts/{accountId}/fraud-rules} – the account's own fraud thresholds (admin)</li>
 *   <li>{@code /webhooks}, {@code /webhooks/{webhookId}}, {@code /webhooks/{webhookId}/replay} – webhook
 *       subscriptions ({@link WebhookRoutes})</li>
 *   <li>{@code GET /accounts/{accountId}/events} – the account's postings and hold changes as they happen, as
 *       server-sent events, resumable with {@code Last-Event-ID} ({@link EventRoutes})</li>
 * </ul>
 * A debit or transfer the fraud rules hold for review is answered 202 with {@code status: IN_REVIEW} and the
 * {@code Location} of its outcome, which answers 202 the same way until the bank decides, then the final outcome.
 */
public final class BankApi implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BankApi.class);
    public static final String REPLAYED_HEADER = "Idempotent-Replayed";
    /**
     * The largest request body read (413 above it): a command is a few hundred bytes, so this is generous for
     * clients and keeps a hostile body from costing memory and parse time.
     */
    public static final long MAX_BODY_BYTES = 64 * 1024;
    /** The name of the HTTP server's threads ({@code gateway-http-<n>}). */
    public static final String SERVER_THREADS = "gateway-http";
    static final String ACCOUNTS = "/accounts";
    static final String TRANSACTION = "/transaction";
    static final String BALANCE = "/balance/{accountId}";
    static final String TRANSACTION_STATUS = "/accounts/{accountId}/transactions/{transactionId}";
    static final String TRANSFERS = "/transfers";
    static final String TRANSFER_STATUS = "/accounts/{accountId}/transfers/{transferId}";
    static final String ACCOUNT = "/accounts/{accountId}";
    static final String INTEREST_RATE = "/accounts/{accountId}/interest-rate";
    static final String TRANSACTIONS = "/accounts/{accountId}/transactions";
    static final String STATEMENT = "/accounts/{accountId}/statements/{month}";
    static final String LIMITS = "/accounts/{accountId}/limits";
    static final String FREEZE = "/accounts/{accountId}/freeze";
    static final String UNFREEZE = "/accounts/{accountId}/unfreeze";
    static final String CLOSE = "/accounts/{accountId}/close";
    static final String HOLDS = "/accounts/{accountId}/holds";
    static final String HOLD = "/accounts/{accountId}/holds/{holdId}";
    static final String CAPTURE = "/accounts/{accountId}/holds/{holdId}/capture";
    static final String VOID = "/accounts/{accountId}/holds/{holdId}/void";
    static final String FX_QUOTES = "/fx/quotes";
    static final String FX_RATES = "/fx/rates";
    static final String REVIEW_QUEUE = "/reviews";
    static final String REVIEWS = "/accounts/{accountId}/reviews";
    static final String REVIEW = "/accounts/{accountId}/reviews/{reviewId}";
    static final String APPROVE = "/accounts/{accountId}/reviews/{reviewId}/approve";
    static final String REJECT = "/accounts/{accountId}/reviews/{reviewId}/reject";
    static final String FRAUD_RULES = "/accounts/{accountId}/fraud-rules";
    static final String EVENTS = "/accounts/{accountId}/events";
    /** The documented routes; {@code schemas/.../openapi/bank-api.yaml} describes exactly these. */
    static final List<String> PUBLIC_ROUTES = List.of(ACCOUNTS, TRANSACTION, BALANCE, TRANSACTION_STATUS, TRANSFERS,
            TRANSFER_STATUS, ACCOUNT, INTEREST_RATE, TRANSACTIONS, STATEMENT, LIMITS, FREEZE, UNFREEZE, CLOSE, HOLDS, HOLD, CAPTURE, VOID,
            FX_QUOTES, FX_RATES, REVIEW_QUEUE, REVIEWS, REVIEW, APPROVE, REJECT, FRAUD_RULES, WebhookRoutes.WEBHOOKS,
            WebhookRoutes.WEBHOOK, WebhookRoutes.REPLAY, EVENTS);

    private final CommandPublisher publisher;
    private final OutcomeListener outcomes;
    private final ProcessorClient processors;
    private final Duration outcomeTimeout;
    private final PrometheusMeterRegistry registry;
    private final Access access;
    private volatile boolean draining;
    private volatile InetSocketAddress listenOn;
    private final Javalin app;
    private final WebhookRoutes webhooks;

    public BankApi(CommandPublisher publisher, OutcomeListener outcomes, ProcessorClient processors,
                   Duration outcomeTimeout, PrometheusMeterRegistry registry, ApiSecurity security, FxRateBook rates,
                   Clock clock, Duration kafkaTimeout, WebhookStore webhookStore, WebhookSettings webhookSettings,
                   LiveEvents live) {
        FxRoutes fx = new FxRoutes(rates, publisher, clock, kafkaTimeout);
        this.webhooks = new WebhookRoutes(webhookStore, new WebhookTargets(webhookSettings.allowList(),
                WebhookTargets.DNS), webhookSettings, clock, kafkaTimeout);
        this.registry = registry;
        this.publisher = publisher;
        this.outcomes = outcomes;
        this.processors = processors;
        this.outcomeTimeout = outcomeTimeout;
        this.access = new Access(security, registry);
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            HttpListener.install(config, () -> listenOn, SERVER_THREADS);
            config.http.maxRequestSize = MAX_BODY_BYTES;
            PathIds.install(config, NotFound::at);
            access.install(config, security);
            Observability.install(config, registry, Map.of("producer", publisher::problem,
                    "results-listener", outcomes::problem,
                    "accepting", () -> draining ? "shutting down" : null));
            access.rule(HandlerType.GET, "/metrics", security.auth().metricsPublic() ? Rule.PUBLIC : Rule.ADMIN);
            access.rule(HandlerType.GET, "/health/live", Rule.PUBLIC);
            access.rule(HandlerType.GET, "/health/ready", Rule.PUBLIC);
            route(config, HandlerType.POST, ACCOUNTS, Rule.WRITE, ctx -> submit(ctx,
                    Requests.openAccount(ctx.bodyAsBytes(), ctx.header(Requests.IDEMPOTENCY_KEY)), 201));
            route(config, HandlerType.POST, TRANSACTION, Rule.WRITE, ctx -> submit(ctx,
                    Requests.transaction(ctx.bodyAsBytes(), ctx.header(Requests.IDEMPOTENCY_KEY)), 200));
            route(config, HandlerType.GET, BALANCE, Rule.READ, this::balance);
            route(config, HandlerType.GET, TRANSACTION_STATUS, Rule.READ, this::transactionStatus);
            route(config, HandlerType.POST, TRANSFERS, Rule.WRITE, ctx -> submit(ctx,
                    Requests.transfer(ctx.bodyAsBytes(), ctx.header(Requests.IDEMPOTENCY_KEY), fx::resolve), 200));
            route(config, HandlerType.GET, TRANSFER_STATUS, Rule.READ, this::transferStatus);
            AccountReads reads = new AccountReads(processors);
            route(config, HandlerType.GET, ACCOUNT, Rule.READ, reads::account);
            route(config, HandlerType.PUT, INTEREST_RATE, Rule.ADMIN, ctx -> submit(ctx,
                    Requests.interestRate(ctx.pathParam("accountId"), ctx.bodyAsBytes(),
                            ctx.header(Requests.IDEMPOTENCY_KEY)), 200));
            route(config, HandlerType.PUT, LIMITS, Rule.ADMIN, ctx -> submit(ctx,
                    Requests.limits(ctx.pathParam("accountId"), ctx.bodyAsBytes(),
                            ctx.header(Requests.IDEMPOTENCY_KEY)), 200));
            route(config, HandlerType.POST, FREEZE, Rule.ADMIN, ctx -> submit(ctx, Requests.lifecycle(
                    CommandType.FREEZE_ACCOUNT, ctx.pathParam("accountId"), ctx.bodyAsBytes(),
                    ctx.header(Requests.IDEMPOTENCY_KEY)), 200));
            route(config, HandlerType.POST, UNFREEZE, Rule.ADMIN, ctx -> submit(ctx, Requests.lifecycle(
                    CommandType.UNFREEZE_ACCOUNT, ctx.pathParam("accountId"), ctx.bodyAsBytes(),
                    ctx.header(Requests.IDEMPOTENCY_KEY)), 200));
            // the owner closes their own account: the processor answers 404 for anyone else's, as for every write
            route(config, HandlerType.POST, CLOSE, Rule.WRITE, ctx -> submit(ctx, Requests.lifecycle(
                    CommandType.CLOSE_ACCOUNT, ctx.pathParam("accountId"), ctx.bodyAsBytes(),
                    ctx.header(Requests.IDEMPOTENCY_KEY)), 200));
            route(config, HandlerType.POST, HOLDS, Rule.WRITE, ctx -> submit(ctx, Requests.placeHold(
                    ctx.pathParam("accountId"), ctx.bodyAsBytes(), ctx.header(Requests.IDEMPOTENCY_KEY)), 201));
            route(config, HandlerType.GET, HOLDS, Rule.READ, this::holds);
            route(config, HandlerType.GET, HOLD, Rule.READ, this::hold);
            route(config, HandlerType.POST, CAPTURE, Rule.WRITE, ctx -> submit(ctx, Requests.captureHold(
                    ctx.pathParam("accountId"), ctx.pathParam("holdId"), ctx.bodyAsBytes(),
                    ctx.header(Requests.IDEMPOTENCY_KEY)), 200));
            route(config, HandlerType.POST, VOID, Rule.WRITE, ctx -> submit(ctx, Requests.voidHold(
                    ctx.pathParam("accountId"), ctx.pathParam("holdId"), ctx.bodyAsBytes(),
                    ctx.header(Requests.IDEMPOTENCY_KEY)), 200));
            route(config, HandlerType.GET, TRANSACTIONS, Rule.READ, reads::transactions);
            route(config, HandlerType.GET, STATEMENT, Rule.READ, reads::statement);
            route(config, HandlerType.POST, FX_QUOTES, Rule.READ, fx::quote);
            route(config, HandlerType.GET, FX_RATES, Rule.READ, fx::rates);
            route(config, HandlerType.POST, FX_RATES, Rule.ADMIN, fx::publish);
            // fraud reviews name the rules and thresholds that stopped a payment: admins only, reads and writes
            ReviewReads reviews = new ReviewReads(processors);
            route(config, HandlerType.GET, REVIEW_QUEUE, Rule.ADMIN, reviews::queue);
            route(config, HandlerType.GET, REVIEWS, Rule.ADMIN, reviews::ofAccount);
            route(config, HandlerType.GET, REVIEW, Rule.ADMIN, reviews::review);
            route(config, HandlerType.POST, APPROVE, Rule.ADMIN, ctx -> submit(ctx, Requests.decideReview(
                    ctx.pathParam("accountId"), ctx.pathParam("reviewId"), true, ctx.bodyAsBytes(),
                    ctx.header(Requests.IDEMPOTENCY_KEY)), 200));
            route(config, HandlerType.POST, REJECT, Rule.ADMIN, ctx -> submit(ctx, Requests.decideReview(
                    ctx.pathParam("accountId"), ctx.pathParam("reviewId"), false, ctx.bodyAsBytes(),
                    ctx.header(Requests.IDEMPOTENCY_KEY)), 200));
            route(config, HandlerType.PUT, FRAUD_RULES, Rule.ADMIN, ctx -> submit(ctx, Requests.fraudRules(
                    ctx.pathParam("accountId"), ctx.bodyAsBytes(), ctx.header(Requests.IDEMPOTENCY_KEY)), 200));
            webhooks.install((method, path, rule, handler) -> route(config, method, path, rule, handler));
            // the account's events as they happen: the owner's (or an admin's), a stream that lasts
            route(config, HandlerType.GET, EVENTS, Rule.READ, new EventRoutes(live, processors, access)::stream);
            route(config, HandlerType.GET, "/health", Rule.PUBLIC, ctx -> ctx.result("ok"));
            // the API description and its page are public: a client reads them before it has a token
            ApiDescription description = new ApiDescription();
            config.staticFiles.enableWebjars();
            access.publicFiles("/webjars/");
            route(config, HandlerType.GET, ApiDescription.YAML_PATH, Rule.PUBLIC, description::yaml);
            route(config, HandlerType.GET, ApiDescription.JSON_PATH, Rule.PUBLIC, description::json);
            route(config, HandlerType.GET, ApiDescription.PAGE_PATH, Rule.PUBLIC, description::page);
            route(config, HandlerType.GET, ApiDescription.PAGE_SCRIPT_PATH, Rule.PUBLIC, description::pageScript);
            config.routes.exception(InvalidRequestException.class, (e, ctx) -> problem(ctx,
                    Problem.of(400, "Invalid request", "the request has invalid fields").withErrors(e.errors())));
            config.routes.exception(RejectedRequestException.class, (e, ctx) -> {
                if (e.problem().status() == 503) ctx.header("Retry-After", "1"); // as every 503 here says when
                problem(ctx, e.problem());
            });
            config.routes.exception(ProcessorClient.UnavailableException.class, (e, ctx) -> unavailable(ctx,
                    "the account store is not ready: " + e.getMessage(), null));
        });
    }

    /** A route, with the access rule it is served under ({@link Access}). */
    private void route(JavalinConfig config, HandlerType method, String path, Rule rule, Handler handler) {
        access.rule(method, path, rule);
        config.routes.addHttpHandler(method, path, handler);
    }

    /** Every HTTP route the app serves, as {@code "METHOD /path"}, for the test that each has an access rule. */
    public List<String> routes() {
        return app.unsafe.internalRouter.allHttpHandlers().stream().map(p -> p.endpoint)
                .filter(e -> e.method.isHttpMethod()).map(e -> e.method.name() + " " + e.path).toList();
    }

    /** The access rule of each route, {@code "METHOD /path"} to its name (PUBLIC, READ, WRITE, ADMIN). */
    public Map<String, String> accessRules() {
        Map<String, String> rules = new java.util.LinkedHashMap<>();
        access.rules().forEach((route, rule) -> rules.put(route, rule.name()));
        return rules;
    }

    public BankApi start(String host, int port) {
        listenOn = new InetSocketAddress(host, port);
        app.start();
        return this;
    }

    public int port() {
        return app.port();
    }

    private void submit(Context ctx, Command asked, int successStatus) {
        Principal principal = Access.principal(ctx);
        if (asked.owner() != null && !asked.owner().equals(principal.subject()) && !principal.admin()) {
            problem(ctx, Problem.of(403, "Forbidden", "opening an account for someone else needs the scope "
                    + Scope.ADMIN.value()));
            return;
        }
        if (asked.type() == CommandType.OPEN_ACCOUNT && asked.interestRate() != null && !principal.admin()) {
            problem(ctx, Problem.of(403, "Forbidden", "setting an interest rate needs the scope "
                    + Scope.ADMIN.value() + "; accounts open at the bank's default rate"));
            return;
        }
        // who asked travels with the command: the processor checks the account is theirs and records it
        Command command = asked.by(principal.subject(), principal.admin());
        if (draining) {
            unavailable(ctx, "the gateway is shutting down; retry with the same transactionId",
                    command.transactionId());
            return;
        }
        if (!outcomes.ready()) {
            unavailable(ctx, "the gateway is not connected to Kafka yet", command.transactionId());
            return;
        }
        Timer.Sample started = Timer.start(registry);
        String requestId = OutcomeListener.newRequestId();
        CompletableFuture<Outcome> outcome = outcomes.expect(requestId);
        ctx.future(() -> publisher.publish(command, requestId, outcomes.replyPartition())
                .thenCompose(sent -> outcome.orTimeout(outcomeTimeout.toMillis(), TimeUnit.MILLISECONDS))
                .handle((result, error) -> {
                    // every log line about this request carries its account and transaction (fields in JSON logs)
                    try (MDC.MDCCloseable a = MDC.putCloseable("accountId", command.accountId());
                         MDC.MDCCloseable t = MDC.putCloseable("transactionId", command.transactionId())) {
                        conclude(ctx, command, successStatus, outcome, started, result, error);
                    }
                    return null;
                }));
    }

    private void conclude(Context ctx, Command command, int successStatus, CompletableFuture<Outcome> outcome,
                          Timer.Sample started, Outcome result, Throwable error) {
        String answered;
        if (error == null) {
            answer(ctx, result, successStatus, command);
            answered = result.status().name();
        } else if (unwrap(error) instanceof TimeoutException && outcome.isCompletedExceptionally()) {
            pending(ctx, command);
            answered = "LATE";
        } else {
            outcome.cancel(false);
            log.warn("publish failed accountId={} transactionId={}: {}", command.accountId(),
                    command.transactionId(), unwrap(error).toString());
            unavailable(ctx, "Kafka did not take the command in time; retry with the same transactionId",
                    command.transactionId());
            answered = "UNAVAILABLE";
        }
        started.stop(Timer.builder("bank.gateway.command.latency")
                .description("From request to outcome (or to giving up): publish, process, read back")
                .tag("type", command.type().name()).tag("result", answered)
                .publishPercentileHistogram().maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry));
    }

    private void answer(Context ctx, Outcome outcome, int successStatus, Command asked) {
        log.info("{} accountId={} transactionId={} status={}{}", outcome.type(), outcome.accountId(),
                outcome.transactionId(), outcome.status(),
                outcome.reason() == null ? "" : " reason=" + outcome.reason());
        // A retry gets the first answer byte for byte; the header tells it apart (as Stripe-style APIs do).
        if (outcome.replayed()) ctx.header(REPLAYED_HEADER, "true");
        answerOutcome(ctx, outcome, successStatus, asked);
    }

    /**
     * An outcome as the answer to its command or to its status URL: 202 while a transfer's legs are in flight or the
     * payment is under fraud review, the success body, or its problem.
     */
    private static void answerOutcome(Context ctx, Outcome outcome, int successStatus, Command asked) {
        if (outcome.status() == OutcomeStatus.PENDING) {
            pendingTransfer(ctx, outcome.accountId(), outcome.transactionId());
        } else if (outcome.status() == OutcomeStatus.IN_REVIEW) {
            // not a refusal: the money is held, and the status URL tells how the bank decided
            String url = statusUrl(outcome.accountId(), outcome.transactionId());
            ctx.header("Location", url);
            json(ctx, 202, Responses.underReview(outcome, url));
        } else if (outcome.accepted()) {
            json(ctx, successStatus, Responses.success(outcome, asked));
        } else {
            problem(ctx, Responses.rejection(outcome));
        }
    }

    private void pending(Context ctx, Command command) {
        if (command.type() == CommandType.TRANSFER) {
            pendingTransfer(ctx, command.accountId(), command.transactionId());
            return;
        }
        String url = statusUrl(command.accountId(), command.transactionId());
        log.info("outcome late accountId={} transactionId={}: answered 202", command.accountId(),
                command.transactionId());
        ctx.header("Location", url);
        json(ctx, 202, Responses.pending(command.accountId(), command.transactionId(), url));
    }

    private void balance(Context ctx) {
        String accountId = ctx.pathParam("accountId");
        answer(ctx, processors.account(accountId, Access.viewer(ctx)),
                account -> json(ctx, 200, Responses.balance(account)),
                () -> problem(ctx, NotFound.account(accountId)));
    }

    private void transactionStatus(Context ctx) {
        String accountId = ctx.pathParam("accountId");
        String transactionId = ctx.pathParam("transactionId");
        // the same answers as the command's own request: under review or in flight is a 202, not a refusal
        answer(ctx, processors.outcome(accountId, transactionId, Access.viewer(ctx)),
                outcome -> answerOutcome(ctx, outcome, 200, null),
                () -> problem(ctx, NotFound.outcome(accountId, transactionId)));
    }

    /** A transfer whose legs are still in flight: poll its state on the source account. */
    private static void pendingTransfer(Context ctx, String fromAccountId, String transferId) {
        String url = "/accounts/" + Urls.encode(fromAccountId) + "/transfers/" + Urls.encode(transferId);
        ctx.header("Location", url);
        json(ctx, 202, Responses.pending(fromAccountId, transferId, url));
    }

    private void holds(Context ctx) {
        String accountId = ctx.pathParam("accountId");
        answer(ctx, processors.holds(accountId, Access.viewer(ctx)),
                holds -> json(ctx, 200, Responses.holds(holds)),
                () -> problem(ctx, NotFound.account(accountId)));
    }

    private void hold(Context ctx) {
        String accountId = ctx.pathParam("accountId");
        String holdId = ctx.pathParam("holdId");
        answer(ctx, processors.hold(accountId, holdId, Access.viewer(ctx)),
                hold -> json(ctx, 200, Documents.hold(hold)),
                () -> problem(ctx, NotFound.hold(accountId, holdId)));
    }

    private void transferStatus(Context ctx) {
        String accountId = ctx.pathParam("accountId");
        String transferId = ctx.pathParam("transferId");
        var viewer = Access.viewer(ctx);
        // A transfer refused before it moved anything (insufficient funds, a frozen account, the fraud rules) is
        // never stored as a transfer: its 202's Location leads to the refusal, as the transaction's status URL does,
        // rather than to a 404 "not yet" for ever.
        ctx.future(() -> processors.transfer(accountId, transferId, viewer).thenCompose(transfer -> {
            if (transfer.isPresent()) {
                json(ctx, 200, Responses.transferState(transfer.get()));
                return CompletableFuture.completedFuture(null);
            }
            return processors.outcome(accountId, transferId, viewer).thenAccept(outcome -> outcome
                    .filter(o -> o.type() == CommandType.TRANSFER && !o.accepted())
                    .ifPresentOrElse(o -> answerOutcome(ctx, o, 200, null),
                            () -> problem(ctx, NotFound.transfer(accountId, transferId))));
        }));
    }

    /**
     * Answers a read from the processors when it arrives, holding no server thread meanwhile; an
     * {@link ProcessorClient.UnavailableException} reaches the exception handler (503).
     */
    static <T> void answer(Context ctx, CompletableFuture<Optional<T>> read, Consumer<T> found, Runnable missing) {
        ctx.future(() -> read.thenAccept(value -> value.ifPresentOrElse(found, missing)));
    }

    private static String statusUrl(String accountId, String transactionId) {
        return Responses.transactionUrl(accountId, transactionId);
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    private static void unavailable(Context ctx, String detail, String transactionId) {
        ctx.header("Retry-After", "1");
        problem(ctx, Problem.of(503, "Service unavailable", detail).withTransactionId(transactionId));
    }

    private static void problem(Context ctx, Problem problem) {
        HttpErrors.write(ctx, problem);
    }

    private static void json(Context ctx, int status, Object body) {
        write(ctx, status, "application/json", body);
    }

    private static void write(Context ctx, int status, String contentType, Object body) {
        ctx.status(status).contentType(contentType).result(Json.answer(body));
    }

    /**
     * Graceful shutdown, first half: new commands are refused (503, so clients retry elsewhere), readiness turns
     * DOWN, and the requests already waiting for an outcome get their answers (the outcome, or 202) before
     * {@code waitFor} runs out.
     */
    public void drain(Duration waitFor) {
        draining = true;
        long deadline = System.nanoTime() + waitFor.toNanos();
        while (outcomes.waiting() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20); // a shutdown path, not a test: polls a counter until in-flight requests finish
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (outcomes.waiting() > 0) log.warn("{} requests still waiting at shutdown", outcomes.waiting());
    }

    @Override
    public void close() {
        app.stop();
        webhooks.close();
    }
}
