package dev.bank.processor.query;

import dev.bank.observability.InternalApi;
import dev.bank.observability.InternalApi.Viewer;
import dev.bank.observability.PeerClient;
import dev.bank.schemas.Json;
import org.apache.kafka.streams.state.HostInfo;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Asks the instance that owns an account, for a question this instance cannot answer from its own stores. No
 * query thread waits meanwhile: with several processors about half of all reads arrive at an instance that does not
 * own the account, and a blocking call would hold one of the query server's few threads for the whole hop. Anything
 * but a clear answer (200 or 404) is a {@link NotReadyException}, so the client is told to retry.
 */
final class Forwarder implements AutoCloseable {
    /** Inside the gateway's own 5 s, so a stuck owner is reported as such rather than as a gateway time-out. */
    static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final PeerClient http;
    private final String serviceToken;

    Forwarder(Duration timeout, String serviceToken) {
        this.http = new PeerClient("query-forward", timeout);
        this.serviceToken = serviceToken;
    }

    /**
     * {@code path} (with any query string) asked of {@code owner} for {@code viewer}, with the service credential,
     * marked as forwarded so it is never passed on.
     */
    <T> CompletableFuture<Optional<T>> ask(HostInfo owner, String path, Class<T> type, Viewer viewer) {
        String url = "http://" + owner.host() + ":" + owner.port() + path
                + (path.contains("?") ? "&" : "?") + StoreQueries.FORWARDED_PARAM + "=true";
        return http.get(url, InternalApi.headers(serviceToken, viewer)).handle((answer, error) -> {
            if (error != null) throw new NotReadyException("owner " + owner + " did not answer: " + error, error);
            return switch (answer.status()) {
                case 200 -> Optional.of(read(owner, answer.body(), type));
                case 404 -> Optional.<T>empty();
                default -> throw new NotReadyException("owner " + owner + " answered " + answer.status());
            };
        });
    }

    private static <T> T read(HostInfo owner, byte[] body, Class<T> type) {
        try {
            return Json.MAPPER.readValue(body, type);
        } catch (IOException e) {
            throw new NotReadyException("owner " + owner + " answered unreadable JSON: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        http.close();
    }
}
