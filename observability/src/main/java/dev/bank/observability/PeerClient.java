package dev.bank.observability;

import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * How one of our services asks another over HTTP: the gateway asking a processor, a processor asking the
 * processor that owns an account. It is Jetty's client (the Jetty that Javalin already runs on), not
 * {@code java.net.http}: the JDK client hands every response to other threads, which cost the gateway measurably
 * more CPU per read (docs/performance.md); Jetty completes a response on the thread that read it. No thread waits
 * for an answer, and callers continue on the completing thread, so its pool is a pool (answers may be written to a
 * REST client from it), never a single selector thread.
 */
public final class PeerClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PeerClient.class);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /**
     * Requests waiting for a connection to one peer. Every REST read can wait here; Jetty's default of 1,024 turned
     * a burst of 1,000+ clients into errors. Queued requests still time out.
     */
    private static final int MAX_QUEUED_PER_PEER = 65_536;
    /** The largest answer read: a month's statement of a busy account is the biggest, at ~300 bytes a posting. */
    private static final int MAX_ANSWER_BYTES = 64 * 1024 * 1024;

    /** A peer's answer, whatever its status; a failed exchange completes the future exceptionally instead. */
    public record Answer(int status, byte[] body) {}

    private final Duration requestTimeout;
    private final HttpClient http;

    /**
     * @param name           names its threads
     * @param requestTimeout from sending (or queueing) to the whole answer
     */
    public PeerClient(String name, Duration requestTimeout) {
        this.requestTimeout = requestTimeout;
        QueuedThreadPool threads = new QueuedThreadPool(HttpListener.MAX_THREADS, 2);
        threads.setName(name);
        threads.setDaemon(true);
        this.http = new HttpClient();
        http.setExecutor(threads);
        http.setConnectTimeout(CONNECT_TIMEOUT.toMillis());
        http.setMaxRequestsQueuedPerDestination(MAX_QUEUED_PER_PEER);
        http.setFollowRedirects(false);
        try {
            http.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the HTTP client " + name, e);
        }
    }

    /** GETs an absolute URL; fails with the transport's error (refused, timed out, too long), unwrapped. */
    public CompletableFuture<Answer> get(String url) {
        return get(url, Map.of());
    }

    /** GETs an absolute URL with these request headers. */
    public CompletableFuture<Answer> get(String url, Map<String, String> headers) {
        var request = http.newRequest(url).timeout(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!headers.isEmpty()) request.headers(h -> headers.forEach(h::put));
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        new CompletableResponseListener(request, MAX_ANSWER_BYTES).send().whenComplete((response, error) -> {
            if (error == null) {
                answer.complete(new Answer(response.getStatus(), response.getContent()));
            } else {
                answer.completeExceptionally(error instanceof CompletionException && error.getCause() != null
                        ? error.getCause() : error);
            }
        });
        return answer;
    }

    @Override
    public void close() {
        try {
            http.stop();
        } catch (Exception e) {
            log.warn("stopping an HTTP client failed: {}", e.toString());
        }
    }
}
