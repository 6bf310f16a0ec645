package dev.bank.gateway.kafka;

import dev.bank.observability.InternalApi;
import dev.bank.observability.InternalApi.Paths;
import dev.bank.observability.InternalApi.Viewer;
import dev.bank.observability.QueryClient;
import dev.bank.schemas.Account;
import dev.bank.schemas.AccountEventPage;
import dev.bank.schemas.FraudReview;
import dev.bank.schemas.FraudReviewList;
import dev.bank.schemas.HistoryPage;
import dev.bank.schemas.Statement;
import dev.bank.schemas.Json;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.Hold;
import dev.bank.schemas.HoldList;
import dev.bank.schemas.Transfer;
import dev.bank.gateway.config.DirectReadsConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;


/**
 * Reads account state from the processors' query APIs. A read about an account goes straight to the processor
 * instance that owns the account's partition, by the {@link OwnerDirectory}'s table (docs/design.md#how-a-read-finds-
 * its-owner), marked not to be passed on. Without a usable owner (no table yet, a stale one, a partition without an
 * owner) or when the owner does not answer, answers 421 (no longer its account), 503 or garbage, it is asked as before
 * direct reads: any processor instance answers for any account (it forwards to the owner), so the configured URLs are
 * tried in order and the next one is used when one is down or not ready. Which instance answered changes nothing in
 * what it may say: every instance checks ownership and the viewer itself. The gateway keeps no money state of its own.
 * The transport is {@link QueryClient}: no thread waits for a processor, and the answer continues on the thread that
 * read it.
 */
public final class ProcessorClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ProcessorClient.class);

    /** No processor could answer right now; the caller answers 503 with Retry-After. */
    public static final class UnavailableException extends RuntimeException {
        public UnavailableException(String message) {
            super(message);
        }
    }

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

    private final List<String> baseUrls;
    private final QueryClient client;
    /** null when direct reads are off */
    private final OwnerDirectory owners;
    private final Counter direct;
    private final Map<OwnerTable.Miss, Counter> fallback = new EnumMap<>(OwnerTable.Miss.class);

    /** Every read to the configured processors (no direct reads), counted nowhere: for tests of the transport. */
    public ProcessorClient(List<String> baseUrls, String serviceToken) {
        this(baseUrls, serviceToken, REQUEST_TIMEOUT, DirectReadsConfig.disabled(), new SimpleMeterRegistry());
    }

    /**
     * @param serviceToken the processors' query API credential ({@link InternalApi})
     * @param directReads  whether and how reads go straight to the account's owner
     * @param registry     where reads (direct or not, and why) and the owner table's refreshes are counted
     */
    public ProcessorClient(List<String> baseUrls, String serviceToken, DirectReadsConfig directReads,
                           MeterRegistry registry) {
        this(baseUrls, serviceToken, REQUEST_TIMEOUT, directReads, registry);
    }

    ProcessorClient(List<String> baseUrls, String serviceToken, Duration requestTimeout) {
        this(baseUrls, serviceToken, requestTimeout, DirectReadsConfig.disabled(), new SimpleMeterRegistry());
    }

    ProcessorClient(List<String> baseUrls, String serviceToken, Duration requestTimeout, DirectReadsConfig directReads,
                    MeterRegistry registry) {
        if (baseUrls.isEmpty()) throw new IllegalArgumentException("at least one processor URL is needed");
        this.baseUrls = List.copyOf(baseUrls);
        this.client = new QueryClient("processor-client", requestTimeout, serviceToken);
        this.owners = directReads.enabled()
                ? new OwnerDirectory(baseUrls, client, directReads, registry, System::nanoTime).start() : null;
        String description = "Account reads, by route: straight to the owner (direct) or through the configured "
                + "processors (fallback), and why";
        this.direct = Counter.builder("bank.gateway.reads").tag("route", "direct").tag("reason", "owner")
                .description(description).register(registry);
        for (OwnerTable.Miss miss : OwnerTable.Miss.values()) {
            fallback.put(miss, Counter.builder("bank.gateway.reads").tag("route", "fallback").tag("reason", miss.tag)
                    .description(description).register(registry));
        }
    }

    // Every question is asked for a viewer: the processor answers only about accounts the viewer may see (its
    // owner, or an admin), and as "not found" about any other.

    public CompletableFuture<Optional<Account>> account(String accountId, Viewer viewer) {
        return read(accountId, Paths.account(accountId), Account.class, viewer);
    }

    public CompletableFuture<Optional<Outcome>> outcome(String accountId, String transactionId, Viewer viewer) {
        return read(accountId, Paths.outcome(accountId, transactionId), Outcome.class,
                viewer);
    }

    public CompletableFuture<Optional<Transfer>> transfer(String accountId, String transferId, Viewer viewer) {
        return read(accountId, Paths.transfer(accountId, transferId), Transfer.class,
                viewer);
    }

    public CompletableFuture<Optional<Hold>> hold(String accountId, String holdId, Viewer viewer) {
        return read(accountId, Paths.hold(accountId, holdId), Hold.class, viewer);
    }

    /** The account's active holds, oldest first. */
    public CompletableFuture<Optional<HoldList>> holds(String accountId, Viewer viewer) {
        return read(accountId, Paths.holds(accountId), HoldList.class, viewer);
    }

    /** A page of the account's postings, newest first; {@code params} are from, to, limit and cursor as given. */
    public CompletableFuture<Optional<HistoryPage>> history(String accountId, Map<String, String> params, Viewer viewer) {
        return read(accountId, Paths.history(accountId, params), HistoryPage.class,
                viewer);
    }

    /** The account's statement for a month, {@code yyyy-MM}. */
    public CompletableFuture<Optional<Statement>> statement(String accountId, String month, Viewer viewer) {
        return read(accountId, Paths.statement(accountId, month), Statement.class, viewer);
    }

    /**
     * The account's events after sequence {@code after}, oldest first, at most {@code limit}, with the oldest and
     * newest sequences the processors keep; what a live stream reads before it follows the events topic.
     */
    public CompletableFuture<Optional<AccountEventPage>> events(String accountId, long after, int limit,
                                                                Viewer viewer) {
        Map<String, String> params = new java.util.LinkedHashMap<>();
        params.put("after", Long.toString(after));
        params.put("limit", Integer.toString(limit));
        return read(accountId, Paths.events(accountId, params), AccountEventPage.class, viewer);
    }

    /** One of the account's fraud reviews, pending or ended (admins only: the processor tells no one else). */
    public CompletableFuture<Optional<FraudReview>> review(String accountId, String reviewId, Viewer viewer) {
        return read(accountId, Paths.review(accountId, reviewId), FraudReview.class, viewer);
    }

    /** The account's fraud reviews, oldest first; {@code params} are status and limit as given. */
    public CompletableFuture<Optional<FraudReviewList>> reviews(String accountId, Map<String, String> params,
                                                                Viewer viewer) {
        return read(accountId, Paths.reviews(accountId, params), FraudReviewList.class, viewer);
    }

    /**
     * The review queue of every account, oldest first; {@code params} are status and limit as given. Whichever
     * processor is asked gathers it from all of them, whole or not at all.
     */
    public CompletableFuture<Optional<FraudReviewList>> reviewQueue(Map<String, String> params, Viewer viewer) {
        return get(Paths.reviewQueue(params), FraudReviewList.class, viewer);
    }

    /**
     * Asks the owner of {@code accountId} when the table names one, marked not to be passed on: its 200 or 404 is the
     * answer; anything else (it did not answer, 421, 503, garbage) is asked again as {@link #get} does.
     */
    private <T> CompletableFuture<Optional<T>> read(String accountId, String path, Class<T> type, Viewer viewer) {
        OwnerTable.Route route = owners == null
                ? new OwnerTable.Route(accountId, -1, null, OwnerTable.Miss.DISABLED) : owners.route(accountId);
        if (!route.direct()) {
            fallback.get(route.miss()).increment();
            return get(path, type, viewer);
        }
        return client.get(route.url(), InternalApi.notPassedOn(path), viewer).handle((answer, error) -> {
            OwnerTable.Miss miss;
            String problem;
            if (error == null) {
                try {
                    Optional<T> value = answer.isEmpty() ? Optional.empty()
                            : Optional.of(Json.MAPPER.readValue(answer.get(), type));
                    direct.increment();
                    return CompletableFuture.completedFuture(value);
                } catch (IOException e) {
                    miss = OwnerTable.Miss.UNREADABLE;
                    problem = "unreadable JSON: " + e.getMessage();
                }
            } else {
                Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                int status = cause instanceof QueryClient.NoAnswerException noAnswer ? noAnswer.status() : 0;
                miss = status == InternalApi.MISDIRECTED ? OwnerTable.Miss.MISDIRECTED
                        : status == 0 ? OwnerTable.Miss.UNREACHABLE : OwnerTable.Miss.NOT_READY;
                problem = cause.getMessage();
                owners.missed(route, miss);
            }
            fallback.get(miss).increment();
            log.debug("read of account {} (partition {}) missed its owner {}, asking the configured processors: {}",
                    accountId, route.partition(), route.url(), problem);
            return get(path, type, viewer);
        }).thenCompose(next -> next);
    }

    /**
     * Asks the processors in order: empty on 404, the value on 200, the next URL on anything else, and
     * {@link UnavailableException} when none could answer.
     */
    private <T> CompletableFuture<Optional<T>> get(String path, Class<T> type, Viewer viewer) {
        return ask(0, path, type, viewer, "no processor configured");
    }

    private <T> CompletableFuture<Optional<T>> ask(int index, String path, Class<T> type, Viewer viewer,
                                                   String lastProblem) {
        if (index >= baseUrls.size()) return CompletableFuture.failedFuture(new UnavailableException(lastProblem));
        String base = baseUrls.get(index);
        return client.get(base, path, viewer).handle((answer, error) -> {
            String problem;
            if (error != null) {
                problem = (error.getCause() != null ? error.getCause() : error).getMessage();
            } else if (answer.isEmpty()) {
                return CompletableFuture.completedFuture(Optional.<T>empty());
            } else {
                try {
                    return CompletableFuture.completedFuture(Optional.of(Json.MAPPER.readValue(answer.get(), type)));
                } catch (IOException e) {
                    problem = base + " answered unreadable JSON: " + e.getMessage();
                }
            }
            log.debug("processor query failed, trying the next: {}", problem);
            return ask(index + 1, path, type, viewer, problem);
        }).thenCompose(next -> next);
    }

    /** The owner table as it is now; null when direct reads are off (for tests). */
    OwnerDirectory owners() {
        return owners;
    }

    @Override
    public void close() {
        if (owners != null) owners.close();
        client.close();
    }
}
