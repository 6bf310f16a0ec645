package dev.bank.gateway.kafka;

import dev.bank.schemas.Account;
import dev.bank.schemas.HistoryPage;
import dev.bank.schemas.Statement;
import dev.bank.schemas.Json;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.Transfer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;

/**
 * Reads account state from the processors' query APIs. Any processor instance answers for any account (it
 * forwards to the owner), so the configured URLs are tried in order and the next one is used when one is
 * down or not ready. The gateway keeps no money state of its own.
 */
public final class ProcessorClient {
    private static final Logger log = LoggerFactory.getLogger(ProcessorClient.class);

    /** No processor could answer right now; the caller answers 503 with Retry-After. */
    public static final class UnavailableException extends RuntimeException {
        public UnavailableException(String message) {
            super(message);
        }
    }

    private final List<String> baseUrls;
    // HTTP/1.1 pinned: the query API speaks nothing else, so the HTTP/2 upgrade offer on every new connection
    // is wasted bytes
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    public ProcessorClient(List<String> baseUrls) {
        if (baseUrls.isEmpty()) throw new IllegalArgumentException("at least one processor URL is needed");
        this.baseUrls = List.copyOf(baseUrls);
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
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(5)).GET().build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).handle((response, error) -> {
            String problem;
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                problem = base + " is unreachable: " + cause;
            } else if (response.statusCode() == 404) {
                return CompletableFuture.completedFuture(Optional.<T>empty());
            } else if (response.statusCode() != 200) {
                problem = base + " answered " + response.statusCode();
            } else {
                try {
                    return CompletableFuture.completedFuture(Optional.of(Json.MAPPER.readValue(response.body(), type)));
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
}
