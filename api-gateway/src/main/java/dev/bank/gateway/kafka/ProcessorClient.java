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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;


/**
 * Reads account state from the processors' query APIs. Any processor instance answers for any account (it
 * forwards to the owner), so the configured URLs are tried in order and the next one is used when one is
 * down or not ready. The gateway keeps no money state of its own. The transport is {@link QueryClient}: no thread
 * waits for a processor, and the answer continues on the thread that read it.
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

    /** @param serviceToken the processors' query API credential ({@link InternalApi}) */
    public ProcessorClient(List<String> baseUrls, String serviceToken) {
        this(baseUrls, serviceToken, REQUEST_TIMEOUT);
    }

    ProcessorClient(List<String> baseUrls, String serviceToken, Duration requestTimeout) {
        if (baseUrls.isEmpty()) throw new IllegalArgumentException("at least one processor URL is needed");
        this.baseUrls = List.copyOf(baseUrls);
        this.client = new QueryClient("processor-client", requestTimeout, serviceToken);
    }

    // Every question is asked for a viewer: the processor answers only about accounts the viewer may see (its
    // owner, or an admin), and as "not found" about any other.

    public CompletableFuture<Optional<Account>> account(String accountId, Viewer viewer) {
        return get(Paths.account(accountId), Account.class, viewer);
    }

    public CompletableFuture<Optional<Outcome>> outcome(String accountId, String transactionId, Viewer viewer) {
        return get(Paths.outcome(accountId, transactionId), Outcome.class,
                viewer);
    }

    public CompletableFuture<Optional<Transfer>> transfer(String accountId, String transferId, Viewer viewer) {
        return get(Paths.transfer(accountId, transferId), Transfer.class,
                viewer);
    }

    public CompletableFuture<Optional<Hold>> hold(String accountId, String holdId, Viewer viewer) {
        return get(Paths.hold(accountId, holdId), Hold.class, viewer);
    }

    /** The account's active holds, oldest first. */
    public CompletableFuture<Optional<HoldList>> holds(String accountId, Viewer viewer) {
        return get(Paths.holds(accountId), HoldList.class, viewer);
    }

    /** A page of the account's postings, newest first; {@code params} are from, to, limit and cursor as given. */
    public CompletableFuture<Optional<HistoryPage>> history(String accountId, Map<String, String> params, Viewer viewer) {
        return get(Paths.history(accountId, params), HistoryPage.class,
                viewer);
    }

    /** The account's statement for a month, {@code yyyy-MM}. */
    public CompletableFuture<Optional<Statement>> statement(String accountId, String month, Viewer viewer) {
        return get(Paths.statement(accountId, month), Statement.class, viewer);
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
        return get(Paths.events(accountId, params), AccountEventPage.class, viewer);
    }

    /** One of the account's fraud reviews, pending or ended (admins only: the processor tells no one else). */
    public CompletableFuture<Optional<FraudReview>> review(String accountId, String reviewId, Viewer viewer) {
        return get(Paths.review(accountId, reviewId), FraudReview.class, viewer);
    }

    /** The account's fraud reviews, oldest first; {@code params} are status and limit as given. */
    public CompletableFuture<Optional<FraudReviewList>> reviews(String accountId, Map<String, String> params,
                                                                Viewer viewer) {
        return get(Paths.reviews(accountId, params), FraudReviewList.class, viewer);
    }

    /**
     * The review queue of every account, oldest first; {@code params} are status and limit as given. Whichever
     * processor is asked gathers it from all of them, whole or not at all.
     */
    public CompletableFuture<Optional<FraudReviewList>> reviewQueue(Map<String, String> params, Viewer viewer) {
        return get(Paths.reviewQueue(params), FraudReviewList.class, viewer);
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

    @Override
    public void close() {
        client.close();
    }
}
