package dev.bank.observability;

import dev.bank.observability.InternalApi.Viewer;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The one client of the processors' query API, for the gateway and for a processor asking the owner of an account:
 * a path of {@link InternalApi.Paths} asked with the service credential for a viewer, answered as the JSON bytes the
 * processor wrote (200), as nothing (404), or not at all ({@link NoAnswerException}: unreachable, timed out, or any
 * other status). The bytes are not parsed here: a processor passes a forwarded answer on as it came.
 */
public final class QueryClient implements AutoCloseable {
    /** The processor asked gave no answer this client can use; the message says why. */
    public static final class NoAnswerException extends RuntimeException {
        private final int status;

        public NoAnswerException(String message, Throwable cause) {
            this(message, cause, 0);
        }

        public NoAnswerException(String message, Throwable cause, int status) {
            super(message, cause);
            this.status = status;
        }

        /** The HTTP status the processor answered with; 0 when it did not answer (unreachable, timed out). */
        public int status() {
            return status;
        }
    }

    private final PeerClient http;
    private final String serviceToken;

    /**
     * @param name         names the client's threads
     * @param serviceToken the query API's credential ({@link InternalApi})
     */
    public QueryClient(String name, Duration requestTimeout, String serviceToken) {
        this.http = new PeerClient(name, requestTimeout);
        this.serviceToken = serviceToken;
    }

    /** {@code path} (with any query string) asked of the processor at {@code baseUrl} for {@code viewer}. */
    public CompletableFuture<Optional<byte[]>> get(String baseUrl, String path, Viewer viewer) {
        return http.get(baseUrl + path, InternalApi.headers(serviceToken, viewer)).handle((answer, error) -> {
            if (error != null) throw new NoAnswerException(baseUrl + " did not answer: " + error, error);
            return switch (answer.status()) {
                case 200 -> Optional.of(answer.body());
                case 404 -> Optional.<byte[]>empty();
                default -> throw new NoAnswerException(baseUrl + " answered " + answer.status(), null,
                        answer.status());
            };
        });
    }

    @Override
    public void close() {
        http.close();
    }
}
