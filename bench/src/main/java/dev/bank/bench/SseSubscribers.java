package dev.bank.bench;

import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.util.SocketAddressResolver;
import org.eclipse.jetty.util.thread.Invocable.InvocationType;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Many live event streams at once, without a thread per stream: Jetty's HTTP client (as {@link RestLoad}), one
 * connection per stream, every response's bytes parsed where they are read (on the selector thread: the parsing is a
 * scan for line ends). Each stream is an EventSource in miniature: it keeps its last {@code id:} and hands each event
 * that has data, with the moment its bytes arrived, to the {@link Listener}. Thread names start with {@code bench-},
 * so the load generator's CPU counts them.
 */
final class SseSubscribers implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SseSubscribers.class);
    /** Longer than the streams' heartbeat (15 s): a stream that says nothing for this long is broken. */
    private static final Duration IDLE = Duration.ofSeconds(60);
    /** The bank's events are under a kilobyte; a longer line is cut (the parts the bench reads come first). */
    private static final int MAX_LINE = 8 * 1024;

    /** What the streams tell. Called on the client's threads; must be quick. */
    interface Listener {
        /** Event {@code id} of stream {@code stream} arrived at {@code nanos}; {@code data} is its data line. */
        void event(int stream, long id, String type, byte[] data, int dataLength, long nanos);

        /** Stream {@code stream} ended (cleanly or not), or could not open; {@code why} says how. */
        void ended(int stream, String why);
    }

    private final HttpClient http;
    private final AtomicInteger open = new AtomicInteger();

    SseSubscribers(int streams) {
        QueuedThreadPool threads = new QueuedThreadPool(4, 4);
        threads.setName("bench-sse");
        threads.setDaemon(true);
        threads.setReservedThreads(0);
        HttpClientTransportOverHTTP transport = new HttpClientTransportOverHTTP(1);
        transport.setInvocationType(InvocationType.NON_BLOCKING);
        http = new HttpClient(transport);
        http.setName("bench-sse");
        http.setExecutor(threads);
        http.setScheduler(new ScheduledExecutorScheduler("bench-sse-timeouts", true));
        http.setSocketAddressResolver(new SocketAddressResolver.Sync());
        http.setMaxConnectionsPerDestination(streams + 1);
        http.setMaxRequestsQueuedPerDestination(streams + 1);
        http.setConnectTimeout(10_000);
        http.setIdleTimeout(IDLE.toMillis());
        http.setFollowRedirects(false);
        http.setUserAgentField(null);
        http.setHttpCookieStore(new HttpCookieStore.Empty());
        try {
            http.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the bench's SSE client", e);
        }
        http.getProtocolHandlers().clear();
        http.getContentDecoderFactories().clear();
    }

    /**
     * Opens stream {@code i} of {@code paths}, each with these headers, and waits (up to {@code timeout} in all) until
     * every one has answered 200 and sent its first block; returns how many did.
     */
    int open(String baseUrl, List<String> paths, List<String> lastEventIds, String bearer, Listener listener,
             Duration timeout) throws InterruptedException {
        BaseUrl base = BaseUrl.parse(baseUrl);
        URI origin = base.origin();
        CountDownLatch started = new CountDownLatch(paths.size());
        for (int i = 0; i < paths.size(); i++) {
            int stream = i;
            Parser parser = new Parser(stream, listener, started);
            var request = http.newRequest(origin).path(base.pathPrefix() + paths.get(i))
                    .idleTimeout(IDLE.toMillis(), TimeUnit.MILLISECONDS)
                    .headers(h -> {
                        h.put("Host", base.hostHeader());
                        h.put("Authorization", bearer);
                        h.put("Accept", "text/event-stream");
                        if (lastEventIds.get(stream) != null) h.put("Last-Event-ID", lastEventIds.get(stream));
                    });
            request.onResponseHeaders(response -> {
                if (response.getStatus() == 200) open.incrementAndGet();
                else parser.refused = response.getStatus();
            });
            request.onResponseContent((response, buffer) -> parser.feed(buffer, System.nanoTime()));
            request.send(result -> {
                if (parser.refused == 0 && result.getResponse() != null && result.getResponse().getStatus() == 200) {
                    open.decrementAndGet();
                }
                String why = result.isFailed() ? String.valueOf(result.getFailure())
                        : parser.refused != 0 ? "HTTP " + parser.refused : "ended";
                parser.started();
                listener.ended(stream, why);
            });
        }
        if (!started.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            log.warn("{} of {} streams not started within {}", started.getCount(), paths.size(), timeout);
        }
        return open.get();
    }

    /** Streams open right now. */
    int openStreams() {
        return open.get();
    }

    @Override
    public void close() {
        try {
            http.stop(); // every stream still open ends
        } catch (Exception e) {
            log.warn("stopping the bench's SSE client failed: {}", e.toString());
        }
    }

    /** One stream's bytes as lines, and its lines as events (the WHATWG rules, for the fields the bank sends). */
    private static final class Parser {
        private final int stream;
        private final Listener listener;
        private final CountDownLatch started;
        private final AtomicBoolean counted = new AtomicBoolean();
        volatile int refused;
        private final byte[] line = new byte[MAX_LINE];
        private int length;
        private long id = -1;
        private String type;
        private byte[] data;
        private int dataLength;

        Parser(int stream, Listener listener, CountDownLatch started) {
            this.stream = stream;
            this.listener = listener;
            this.started = started;
        }

        void started() {
            if (counted.compareAndSet(false, true)) started.countDown();
        }

        void feed(ByteBuffer buffer, long nanos) {
            while (buffer.hasRemaining()) {
                byte b = buffer.get();
                if (b == '\n') {
                    line(nanos);
                    length = 0;
                } else if (b != '\r' && length < MAX_LINE) {
                    line[length++] = b;
                }
            }
        }

        private void line(long nanos) {
            if (length == 0) { // a blank line: the block ends
                started();
                if (data != null) listener.event(stream, id, type, data, dataLength, nanos);
                type = null;
                data = null;
                return;
            }
            if (line[0] == ':') return; // a comment
            if (startsWith("id: ")) {
                id = parseLong(4);
            } else if (startsWith("event: ")) {
                type = new String(line, 7, length - 7, StandardCharsets.US_ASCII);
            } else if (startsWith("data: ")) {
                dataLength = length - 6;
                data = java.util.Arrays.copyOfRange(line, 6, length);
            }
        }

        private boolean startsWith(String prefix) {
            if (length < prefix.length()) return false;
            for (int i = 0; i < prefix.length(); i++) if (line[i] != prefix.charAt(i)) return false;
            return true;
        }

        private long parseLong(int from) {
            long v = 0;
            for (int i = from; i < length; i++) {
                int d = line[i] - '0';
                if (d < 0 || d > 9) return -1;
                v = v * 10 + d;
            }
            return v;
        }
    }
}
