package dev.bank.gateway.config;

import java.time.Duration;
import java.util.Map;

/**
 * The live event streams ({@code GET /accounts/{accountId}/events}, docs/api.md#live-events): how often an idle stream
 * says it is alive, what reconnection delay it suggests, how many streams one principal and the whole gateway hold,
 * and how much one stream may have waiting for a client that does not read before it is cut off.
 *
 * @param heartbeat          an idle stream sends an SSE comment this often ({@code BANK_EVENTS_HEARTBEAT}); shorter
 *                           than the HTTP listener's 30 s I/O timeout, which would otherwise end an idle stream
 * @param retry              the {@code retry:} a stream suggests to its client ({@code BANK_EVENTS_RETRY}); each
 *                           stream suggests between this and twice this, so that the clients of a gateway that stops
 *                           do not all come back to the others at the same moment
 * @param maxStreams         streams the gateway holds at once ({@code BANK_EVENTS_MAX_STREAMS}); beyond, 503
 * @param maxPerPrincipal    streams one principal holds at once ({@code BANK_EVENTS_MAX_STREAMS_PER_PRINCIPAL});
 *                           beyond, 429
 * @param queueBytes         what one stream may have waiting for its client ({@code BANK_EVENTS_QUEUE_BYTES}); a
 *                           client that lets more pile up is disconnected and resumes with {@code Last-Event-ID}
 * @param pageSize           events asked of the processors at a time when a stream catches up
 *                           ({@code BANK_EVENTS_PAGE_SIZE}, 1 to 500, the most the processors' query API gives)
 */
public record LiveEventsConfig(Duration heartbeat, Duration retry, int maxStreams, int maxPerPrincipal,
                               int queueBytes, int pageSize) {
    /** Jetty ends a connection without I/O for 30 s ({@code HttpListener.IO_TIMEOUT_MILLIS}). */
    static final Duration MAX_HEARTBEAT = Duration.ofSeconds(25);
    /** The most events the processors' query API answers at once. */
    static final int MAX_PAGE = 500;

    public LiveEventsConfig {
        if (heartbeat.compareTo(Duration.ofMillis(100)) < 0 || heartbeat.compareTo(MAX_HEARTBEAT) > 0) {
            throw new IllegalArgumentException("BANK_EVENTS_HEARTBEAT must be from PT0.1S to " + MAX_HEARTBEAT
                    + " (an idle connection ends after 30 s), was " + heartbeat);
        }
        if (retry.isNegative() || retry.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("BANK_EVENTS_RETRY must be from PT0S to PT1H, was " + retry);
        }
        if (maxStreams < 1) throw new IllegalArgumentException("BANK_EVENTS_MAX_STREAMS must be at least 1");
        if (maxPerPrincipal < 1) {
            throw new IllegalArgumentException("BANK_EVENTS_MAX_STREAMS_PER_PRINCIPAL must be at least 1");
        }
        if (queueBytes < 4096) throw new IllegalArgumentException("BANK_EVENTS_QUEUE_BYTES must be at least 4096");
        if (pageSize < 1 || pageSize > MAX_PAGE) {
            throw new IllegalArgumentException("BANK_EVENTS_PAGE_SIZE must be from 1 to " + MAX_PAGE + ", was "
                    + pageSize);
        }
    }

    public static LiveEventsConfig defaults() {
        return fromEnv(Map.of());
    }

    public static LiveEventsConfig fromEnv(Map<String, String> env) {
        return new LiveEventsConfig(
                Duration.parse(env.getOrDefault("BANK_EVENTS_HEARTBEAT", "PT15S")),
                Duration.parse(env.getOrDefault("BANK_EVENTS_RETRY", "PT3S")),
                Integer.parseInt(env.getOrDefault("BANK_EVENTS_MAX_STREAMS", "5000")),
                Integer.parseInt(env.getOrDefault("BANK_EVENTS_MAX_STREAMS_PER_PRINCIPAL", "20")),
                Integer.parseInt(env.getOrDefault("BANK_EVENTS_QUEUE_BYTES", "65536")),
                Integer.parseInt(env.getOrDefault("BANK_EVENTS_PAGE_SIZE", "200")));
    }

    public LiveEventsConfig withHeartbeat(Duration every) {
        return new LiveEventsConfig(every, retry, maxStreams, maxPerPrincipal, queueBytes, pageSize);
    }

    public LiveEventsConfig withLimits(int streams, int perPrincipal) {
        return new LiveEventsConfig(heartbeat, retry, streams, perPrincipal, queueBytes, pageSize);
    }

    public LiveEventsConfig withQueueBytes(int bytes) {
        return new LiveEventsConfig(heartbeat, retry, maxStreams, maxPerPrincipal, bytes, pageSize);
    }

    public LiveEventsConfig withPageSize(int size) {
        return new LiveEventsConfig(heartbeat, retry, maxStreams, maxPerPrincipal, queueBytes, size);
    }
}
