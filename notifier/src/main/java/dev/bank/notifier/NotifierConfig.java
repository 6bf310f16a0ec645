package dev.bank.notifier;

import dev.bank.observability.KafkaSecurity;
import dev.bank.observability.WebhookTargets;
import dev.bank.schemas.Topics;

import java.time.Duration;
import java.util.Map;

/**
 * The notifier's whole configuration: defaults, overridden by environment variables ({@code BANK_NOTIFIER_*},
 * documented in docs/operations.md).
 *
 * @param groupId        its consumer group on the account events (and, suffixed {@code -replays}, on the replays)
 * @param maxAttempts    deliveries tried per event and subscription before it is dead-lettered
 * @param backoffBase    the wait after the first failed attempt; each next one doubles it, up to {@code backoffMax},
 *                       each drawn between half and all of that (jitter)
 * @param requestTimeout how long one delivery may take, from the request to the answer's status
 * @param connectTimeout how long connecting to an endpoint may take
 * @param concurrency    deliveries in flight at once (threads)
 * @param maxQueued      deliveries held in memory; above it the notifier stops reading events until half are done
 * @param allowList      {@code BANK_WEBHOOK_ALLOWED_HOSTS}: targets allowed despite the SSRF rules (the gateway's too)
 * @param bindHost       where {@code /health} and {@code /metrics} listen
 * @param commitInterval how often done offsets are committed
 * @param sessionTimeout how long the group waits for a silent instance (killed, say) before giving its partitions to
 *                       another or to its own restart
 */
public record NotifierConfig(String bootstrapServers, Topics topics, KafkaSecurity kafkaSecurity, String groupId,
                             int maxAttempts, Duration backoffBase, Duration backoffMax, Duration requestTimeout,
                             Duration connectTimeout, int concurrency, int maxQueued,
                             WebhookTargets.AllowList allowList, String bindHost, int port, Duration commitInterval,
                             Duration sessionTimeout) {

    public NotifierConfig {
        if (maxAttempts < 1) throw new IllegalArgumentException("BANK_NOTIFIER_MAX_ATTEMPTS must be at least 1");
        if (concurrency < 1) throw new IllegalArgumentException("BANK_NOTIFIER_CONCURRENCY must be at least 1");
        if (maxQueued < 1) throw new IllegalArgumentException("BANK_NOTIFIER_MAX_QUEUED must be at least 1");
        for (Duration d : new Duration[] {backoffBase, backoffMax, requestTimeout, connectTimeout, commitInterval,
                sessionTimeout}) {
            if (d.isNegative() || d.isZero()) throw new IllegalArgumentException("durations must be positive: " + d);
        }
        if (backoffMax.compareTo(backoffBase) < 0) {
            throw new IllegalArgumentException("BANK_NOTIFIER_BACKOFF_MAX must not be below BANK_NOTIFIER_BACKOFF_BASE");
        }
    }

    public static NotifierConfig fromEnv(Map<String, String> env) {
        return new NotifierConfig(
                env.getOrDefault("BANK_BOOTSTRAP_SERVERS", "localhost:9092"),
                Topics.fromEnv(env),
                KafkaSecurity.fromEnv(env),
                env.getOrDefault("BANK_NOTIFIER_GROUP_ID", "bank-notifier"),
                Integer.parseInt(env.getOrDefault("BANK_NOTIFIER_MAX_ATTEMPTS", "12")),
                Duration.parse(env.getOrDefault("BANK_NOTIFIER_BACKOFF_BASE", "PT1S")),
                Duration.parse(env.getOrDefault("BANK_NOTIFIER_BACKOFF_MAX", "PT1H")),
                Duration.parse(env.getOrDefault("BANK_NOTIFIER_REQUEST_TIMEOUT", "PT10S")),
                Duration.parse(env.getOrDefault("BANK_NOTIFIER_CONNECT_TIMEOUT", "PT5S")),
                Integer.parseInt(env.getOrDefault("BANK_NOTIFIER_CONCURRENCY", "16")),
                Integer.parseInt(env.getOrDefault("BANK_NOTIFIER_MAX_QUEUED", "10000")),
                WebhookTargets.AllowList.parse(env.get("BANK_WEBHOOK_ALLOWED_HOSTS")),
                env.getOrDefault("BANK_NOTIFIER_BIND_HOST", "127.0.0.1"),
                Integer.parseInt(env.getOrDefault("BANK_NOTIFIER_PORT", "8082")),
                Duration.parse(env.getOrDefault("BANK_NOTIFIER_COMMIT_INTERVAL", "PT1S")),
                Duration.parse(env.getOrDefault("BANK_NOTIFIER_SESSION_TIMEOUT", "PT10S")));
    }

    public NotifierConfig withBootstrapServers(String servers) {
        return new NotifierConfig(servers, topics, kafkaSecurity, groupId, maxAttempts, backoffBase, backoffMax,
                requestTimeout, connectTimeout, concurrency, maxQueued, allowList, bindHost, port, commitInterval,
                sessionTimeout);
    }

    public NotifierConfig withKafkaSecurity(KafkaSecurity security) {
        return new NotifierConfig(bootstrapServers, topics, security, groupId, maxAttempts, backoffBase, backoffMax,
                requestTimeout, connectTimeout, concurrency, maxQueued, allowList, bindHost, port, commitInterval,
                sessionTimeout);
    }

    public NotifierConfig withPort(int newPort) {
        return new NotifierConfig(bootstrapServers, topics, kafkaSecurity, groupId, maxAttempts, backoffBase,
                backoffMax, requestTimeout, connectTimeout, concurrency, maxQueued, allowList, bindHost, newPort,
                commitInterval, sessionTimeout);
    }

    public NotifierConfig withTopics(Topics newTopics) {
        return new NotifierConfig(bootstrapServers, newTopics, kafkaSecurity, groupId, maxAttempts, backoffBase,
                backoffMax, requestTimeout, connectTimeout, concurrency, maxQueued, allowList, bindHost, port,
                commitInterval, sessionTimeout);
    }

    /** The retry schedule these settings give ({@link Backoff}). */
    public Backoff backoff() {
        return new Backoff(backoffBase, backoffMax);
    }
}
