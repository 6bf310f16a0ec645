package dev.bank.gateway.kafka;

import dev.bank.observability.HttpListener;
import dev.bank.schemas.Account;
import dev.bank.schemas.HistoryPage;
import dev.bank.schemas.Statement;
import dev.bank.schemas.Json;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.Transfer;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Reads account state from the processors' query APIs. Any processor instance answers for any account (it
 * forwards to the owner), so the configured URLs are tried in order and the next one is used when one is
 * down or not ready. The gateway keeps no money state of its own.
 *
 * <p>The transport is Jetty's HTTP client (the Jetty that Javalin already runs on), not {@code java.net.http}:
 * with the JDK client a {@code GET /balance} cost the gateway about 300 µs of CPU in its worker and selector
 * threads alone, at 1,000 requests/s on 2 cores (README, Performance). Jetty's client completes a response on
 * the thread that read it, keeps a bounded pool of keep-alive connections per processor and queues the rest.
 * Answers are written to the REST client on that same thread, including statements (PDF), so its pool is a
 * pool, never a single selector thread.
 */
public final class ProcessorClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ProcessorClient.class);

    /** No processor could answer right now; the caller answers 503 with Retry-After. */
    public static final class UnavailableException extends RuntimeException {
        public UnavailableException(String message) {
            super(message);
        }
    }

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    /** The largest answer read: a month's statement of a busy account is the biggest, at ~300 bytes a posting. */
    private static final int MAX_ANSWER_BYTES = 64 * 1024 * 1024;

    private final List<String> baseUrls;
    private final Duration requestTimeout;
    private final HttpClient http;

    public ProcessorClient(List<String> baseUrls) {
        this(baseUrls, REQUEST_TIMEOUT);
    }

    ProcessorClient(List<String> baseUrls, Duration requestTimeout) {
        if (baseUrls.isEmpty()) throw new IllegalArgumentException("at least one processor URL is needed");
        this.baseUrls = List.copyOf(baseUrls);
        this.requestTimeout = requestTimeout;
        QueuedThreadPool threads = new QueuedThreadPool(HttpListener.MAX_THREADS, 2);
        threads.setName("processor-client");
        threads.setDaemon(true);
        this.http = new HttpClient();
        http.setExecutor(threads);
        http.setConnectTimeout(CONNECT_TIMEOUT.toMillis());
        // Every REST read waits here; the default queue of 1,024 per processor would turn a burst of 1,000+
        // clients into 503s. Queued requests still time out after REQUEST_TIMEOUT.
        http.setMaxRequestsQueuedPerDestination(65_536);
        http.setFollowRedirects(false);
        try {
            http.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the HTTP client for the processors", e);
        }
    }

    public CompletableFuture<Optional<Account>> account(String accountId) {
        return get("/internal/accounts/" + encode(accountId), Account.class);
    }

    public CompletableFuture<Optional<Outcome>> outcome(String accountId, String transactionId) {
        return get("/internal/accounts/" + encode(accountId) + "/transactions/" + encode(transactionId), Outcome.class);
    }

    public CompletableFuture<Optional<Transfer>> transfer(String accountId, String transferId) {
        return get("/internal/accounts/" + encode(accountId) + "/transfers/" + encode(transferId), Transfer.class);
    }

    /** A page of the account's postings, newest first; {@code params} are from, to, limit and cursor as given. */
    public CompletableFuture<Optional<HistoryPage>> history(String accountId, Map<String, String> params) {
        String query = params.entrySet().stream().map(e -> e.getKey() + "=" + encode(e.getValue()))
                .collect(Collectors.joining("&"));
        return get("/internal/accounts/" + encode(accountId) + "/history" + (query.isEmpty() ? "" : "?" + query),
                HistoryPage.class);
    }

    /** The account's statement for a month, {@code yyyy-MM}. */
    public CompletableFuture<Optional<Statement>> statement(String accountId, String month) {
        return get("/internal/accounts/" + encode(accountId) + "/statements/" + encode(month), Statement.class);
    }

    /**
     * Asks the processors in order, without holding a thread while one answers: empty on 404, the value on 200,
     * the next URL on anything else, and {@link UnavailableException} when none could answer.
     */
    private <T> CompletableFuture<Optional<T>> get(String path, Class<T> type) {
        return ask(0, path, type, "no processor configured");
    }

    private <T> CompletableFuture<Optional<T>> ask(int index, String path, Class<T> type, String lastProblem) {
        if (index >= baseUrls.size()) return CompletableFuture.failedFuture(new UnavailableException(lastProblem));
        String base = baseUrls.get(index);
        Request request = http.newRequest(base + path).timeout(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
        return new CompletableResponseListener(request, MAX_ANSWER_BYTES).send().handle((response, error) -> {
            String problem;
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                problem = base + " is unreachable: " + cause;
            } else if (response.getStatus() == 404) {
                return CompletableFuture.completedFuture(Optional.<T>empty());
            } else if (response.getStatus() != 200) {
                problem = base + " answered " + response.getStatus();
            } else {
                try {
                    return CompletableFuture.completedFuture(Optional.of(Json.MAPPER.readValue(response.getContent(), type)));
                } catch (IOException e) {
                    problem = base + " answered unreadable JSON: " + e.getMessage();
                }
            }
            log.debug("processor query failed, trying the next: {}", problem);
            return ask(index + 1, path, type, problem);
        }).thenCompose(next -> next);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public void close() {
        try {
            http.stop();
        } catch (Exception e) {
            log.warn("stopping the HTTP client for the processors failed: {}", e.toString());
        }
    }
}
