package dev.bank.processor.query;

import dev.bank.observability.InternalApi;
import dev.bank.observability.InternalApi.Viewer;
import dev.bank.observability.QueryClient;
import org.apache.kafka.streams.state.HostInfo;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Asks the instance that owns an account, for a question this instance cannot answer from its own stores, and hands
 * its answer on as the bytes it wrote (nothing is parsed and written again). No query thread waits meanwhile: with
 * several processors about half of all reads arrive at an instance that does not own the account, and a blocking call
 * would hold one of the query server's few threads for the whole hop. Anything but a clear answer (200 or 404) is a
 * {@link NotReadyException}, so the client is told to retry.
 */
final class Forwarder implements AutoCloseable {
    /** Inside the gateway's own 5 s, so a stuck owner is reported as such rather than as a gateway time-out. */
    static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final QueryClient client;

    Forwarder(Duration timeout, String serviceToken) {
        this.client = new QueryClient("query-forward", timeout, serviceToken);
    }

    /**
     * {@code path} (with any query string) asked of {@code owner} for {@code viewer}, marked as forwarded so it is
     * never passed on: the owner's JSON answer, or empty for its 404.
     */
    CompletableFuture<Optional<byte[]>> ask(HostInfo owner, String path, Viewer viewer) {
        String marked = InternalApi.notPassedOn(path);
        return client.get("http://" + owner.host() + ":" + owner.port(), marked, viewer).handle((answer, error) -> {
            if (error == null) return answer;
            Throwable cause = error.getCause() != null ? error.getCause() : error;
            throw new NotReadyException("owner " + owner + ": " + cause.getMessage(), cause);
        });
    }

    @Override
    public void close() {
        client.close();
    }
}
