package dev.bank.gateway.kafka;

import dev.bank.gateway.config.GatewayConfig;
import dev.bank.schemas.Command;
import dev.bank.schemas.FxRate;
import dev.bank.schemas.Topic;
import dev.bank.schemas.WebhookReplay;
import dev.bank.schemas.WebhookSubscription;
import dev.bank.schemas.WireHeaders;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;

/**
 * Publishes commands keyed by accountId with an idempotent producer (acks=all), so a command is on the log
 * exactly once per send and all commands of an account land on its partition in the order they were sent.
 * A failed publish completes exceptionally within the configured Kafka timeout instead of blocking a request.
 */
public final class CommandPublisher implements AutoCloseable {
    private static final int LINGER_MS = 5;
    private final KafkaProducer<String, byte[]> producer;
    private final Topic<Command> topic;
    private final Topic<FxRate> rates;
    private final Topic<WebhookSubscription> webhooks;
    private final Topic<WebhookReplay> replays;

    public CommandPublisher(GatewayConfig config) {
        this.topic = config.topics().commandsTopic();
        this.rates = config.topics().fxRatesTopic();
        this.webhooks = config.topics().webhooksTopic();
        this.replays = config.topics().webhookReplaysTopic();
        int timeoutMs = (int) config.kafkaTimeout().toMillis();
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "bank-gateway");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        // Commands wait for the processor's next commit (every 20-100 ms) anyway; 5 ms of batching turns one
        // produce request per command into one per few, which the broker (the biggest CPU user under REST load)
        // feels. Measured against 1 ms: a lower rest-sync p99 under load (docs/performance.md).
        p.put(ProducerConfig.LINGER_MS_CONFIG, LINGER_MS);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeoutMs + LINGER_MS); // Kafka requires >= linger + request
        config.kafkaSecurity().applyTo(p);
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * @param requestId      stamped on the record ({@link WireHeaders#REQUEST_ID}); the processor copies it onto the
     *                       command's outcome, which is how the outcome finds its way back to this request
     * @param replyPartition stamped beside it ({@link WireHeaders#REPLY_PARTITION}): the partition of the replies topic
     *                       this instance reads, where the processor writes the outcome too
     */
    public CompletableFuture<RecordMetadata> publish(Command command, String requestId, int replyPartition) {
        CompletableFuture<RecordMetadata> sent = new CompletableFuture<>();
        try {
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic.name(), command.accountId(),
                    topic.serialize(command));
            record.headers().add(WireHeaders.REQUEST_ID, requestId.getBytes(StandardCharsets.UTF_8));
            record.headers().add(WireHeaders.REPLY_PARTITION, WireHeaders.replyPartition(replyPartition));
            producer.send(record,
                    (metadata, error) -> {
                        if (error != null) sent.completeExceptionally(error);
                        else sent.complete(metadata);
                    });
        } catch (RuntimeException e) {
            // send() throws instead of calling back when metadata cannot be fetched within max.block.ms
            sent.completeExceptionally(e);
        }
        return sent;
    }

    /** Publishes an exchange rate to the rates topic, keyed by its pair, as an admin asked for it. */
    public CompletableFuture<RecordMetadata> publishRate(FxRate rate) {
        CompletableFuture<RecordMetadata> sent = new CompletableFuture<>();
        try {
            producer.send(new ProducerRecord<>(rates.name(), rate.key(), rates.serialize(rate)), (metadata, error) -> {
                if (error != null) sent.completeExceptionally(error);
                else sent.complete(metadata);
            });
        } catch (RuntimeException e) {
            sent.completeExceptionally(e);
        }
        return sent;
    }

    /**
     * Publishes a webhook subscription to the compacted webhooks topic keyed by its id, or, for null, the tombstone
     * that deletes subscription {@code id}.
     */
    public CompletableFuture<RecordMetadata> publishWebhook(String id, WebhookSubscription subscription) {
        return send(new ProducerRecord<>(webhooks.name(), id, webhooks.serialize(subscription)));
    }

    /** Publishes a request to deliver a subscription's dead letters again, keyed by the subscription's id. */
    public CompletableFuture<RecordMetadata> publishReplay(WebhookReplay replay) {
        return send(new ProducerRecord<>(replays.name(), replay.subscriptionId(), replays.serialize(replay)));
    }

    private CompletableFuture<RecordMetadata> send(ProducerRecord<String, byte[]> record) {
        CompletableFuture<RecordMetadata> sent = new CompletableFuture<>();
        try {
            producer.send(record, (metadata, error) -> {
                if (error != null) sent.completeExceptionally(error);
                else sent.complete(metadata);
            });
        } catch (RuntimeException e) {
            sent.completeExceptionally(e);
        }
        return sent;
    }

    /** Null when the producer holds a broker connection; otherwise what is wrong. */
    public String problem() {
        return KafkaConnections.connected(producer.metrics(), "producer-metrics") ? null
                : "the producer has no connection to Kafka";
    }

    /** Binds the producer's own metrics (record rates, errors, request latency) to the registry. */
    public AutoCloseable bindMetrics(MeterRegistry registry) {
        KafkaClientMetrics metrics = new KafkaClientMetrics(producer);
        metrics.bindTo(registry);
        return metrics;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
