package dev.bank.gateway.events;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bank.schemas.Json;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A server-sent events client for the tests, as a browser's EventSource reads a stream (the WHATWG HTML parsing
 * rules): fields {@code id}, {@code event}, {@code data} and {@code retry}, comments, an event dispatched at each blank
 * line when it has data, the last event id kept across events. It reads on a thread of its own into a queue, and tells
 * a clean end of the response from a broken connection. {@link #close()} drops the connection, as a client that goes
 * away does.
 */
public final class SseTestClient implements AutoCloseable {
    /** One dispatched event; {@code id} is the last event id when it was dispatched. */
    public record Event(String id, String type, String data) {
        public JsonNode json() {
            try {
                return Json.MAPPER.readTree(data);
            } catch (IOException e) {
                throw new IllegalStateException("not JSON: " + data, e);
            }
        }

        public long sequence() {
            return Long.parseLong(id);
        }
    }

    /** How the response ended. */
    public enum End { CLEAN, BROKEN }

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final HttpResponse<InputStream> response;
    private final String errorBody;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final List<String> comments = new CopyOnWriteArrayList<>();
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile End end;
    private volatile String lastEventId = "";
    private volatile Long retry;
    private volatile boolean openingBlockSeen;

    private SseTestClient(HttpResponse<InputStream> response) throws IOException {
        this.response = response;
        if (response.statusCode() != 200 || !response.headers().firstValue("Content-Type").orElse("")
                .startsWith("text/event-stream")) {
            try (InputStream in = response.body()) {
                this.errorBody = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            end = End.CLEAN;
            ended.countDown();
            return;
        }
        this.errorBody = null;
        Thread reader = new Thread(this::read, "sse-test-client");
        reader.setDaemon(true);
        reader.start();
    }

    /** Opens a stream ({@code GET url} with these headers) and returns once the response's head is in. */
    public static SseTestClient open(String url, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).GET();
        headers.forEach(request::header);
        try {
            return new SseTestClient(CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofInputStream()));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public int status() {
        return response.statusCode();
    }

    public String header(String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    /** The body of an answer that is not a stream (a problem document). */
    public String errorBody() {
        return errorBody;
    }

    public JsonNode problem() {
        try {
            return Json.MAPPER.readTree(errorBody);
        } catch (IOException e) {
            throw new IllegalStateException("not JSON: " + errorBody, e);
        }
    }

    /** The next event, or null when none came within {@code timeout}. */
    public Event next(Duration timeout) throws InterruptedException {
        return events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The next {@code n} events; fails if they do not all come within {@code timeout}. */
    public List<Event> take(int n, Duration timeout) throws InterruptedException {
        List<Event> taken = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (taken.size() < n) {
            Event e = events.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (e == null) {
                throw new AssertionError("got " + taken.size() + " of " + n + " events within " + timeout + ": "
                        + taken + "; ended " + end + ", comments " + comments);
            }
            taken.add(e);
        }
        return taken;
    }

    /** Events received and not taken yet. */
    public List<Event> pending() {
        List<Event> drained = new ArrayList<>();
        events.drainTo(drained);
        return drained;
    }

    public List<String> comments() {
        return comments;
    }

    /** The last event id the stream set (what an EventSource would send as Last-Event-ID). */
    public String lastEventId() {
        return lastEventId;
    }

    public Long retry() {
        return retry;
    }

    /** Whether a block without data came first (the stream's opening: retry, and the start's id). */
    public boolean openingBlockSeen() {
        return openingBlockSeen;
    }

    /** How the response ended, waiting up to {@code timeout}; null when it has not. */
    public End awaitEnd(Duration timeout) throws InterruptedException {
        ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return end;
    }

    private void read() {
        String type = null;
        StringBuilder data = null;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isEmpty()) {
                    if (data == null) {
                        if (events.isEmpty() && comments.isEmpty()) openingBlockSeen = true;
                    } else {
                        events.add(new Event(lastEventId, type == null ? "message" : type, data.toString()));
                    }
                    type = null;
                    data = null;
                    continue;
                }
                if (line.startsWith(":")) {
                    comments.add(line.substring(1).trim());
                    continue;
                }
                int colon = line.indexOf(':');
                String field = colon < 0 ? line : line.substring(0, colon);
                String value = colon < 0 ? "" : line.substring(colon + 1);
                if (value.startsWith(" ")) value = value.substring(1);
                switch (field) {
                    case "id" -> lastEventId = value;
                    case "event" -> type = value;
                    case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                    case "retry" -> retry = Long.parseLong(value);
                    default -> { }
                }
            }
            end = End.CLEAN;
        } catch (IOException e) {
            end = End.BROKEN;
        } finally {
            ended.countDown();
        }
    }

    /** Drops the connection. */
    @Override
    public void close() {
        try {
            response.body().close();
        } catch (IOException e) {
            // gone already
        }
    }
}
