package dev.bank.notifier;

import dev.bank.observability.AsyncPool;
import dev.bank.observability.HttpListener;
import dev.bank.observability.Observability;
import dev.bank.observability.WebhookTargets;
import io.javalin.Javalin;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * The webhook notifier: reads the account events in its own consumer group and delivers each, signed (Standard
 * Webhooks), at least once, in order per account and endpoint, to the subscriptions that want it; retries with
 * exponential backoff, dead-letters after the last attempt, replays on request. Its HTTP port serves {@code /health},
 * {@code /health/live}, {@code /health/ready} and {@code /metrics}. {@code main} wires and waits.
 */
public final class NotifierApp implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NotifierApp.class);

    private final NotifierConfig config;
    private final PrometheusMeterRegistry registry = Observability.registry("bank-notifier");
    private final SubscriptionView view;
    private final KafkaProducer<String, byte[]> producer;
    private final DeliveryEngine engine;
    private final EventPump pump;
    private final Replayer replayer;
    private final Javalin http;
    private volatile InetSocketAddress listenOn;

    private NotifierApp(NotifierConfig config) {
        this.config = config;
        this.view = new SubscriptionView(config);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "bank-notifier-dead-letters");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        config.kafkaSecurity().applyTo(p);
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        Deliverer deliverer = new Deliverer(new WebhookTargets(config.allowList(), WebhookTargets.DNS),
                config.connectTimeout(), config.requestTimeout(), Clock.systemUTC());
        this.engine = new DeliveryEngine(view::get, deliverer, producer, config.topics().webhookDeadLettersTopic(),
                config.backoff(), config.maxAttempts(), config.concurrency(), Clock.systemUTC(), registry);
        this.pump = new EventPump(config, view, engine, registry);
        this.replayer = new Replayer(config, view, engine);
        Gauge.builder("bank.notifier.subscriptions", view, SubscriptionView::size)
                .description("Webhook subscriptions known").register(registry);
        this.http = Javalin.create(c -> {
            c.startup.showJavalinBanner = false;
            HttpListener.install(c, () -> listenOn);
            Observability.install(c, registry, Map.of("subscriptions", view::problem, "events", pump::problem));
            c.routes.get("/health", ctx -> ctx.result("ok"));
        });
    }

    public static NotifierApp start(NotifierConfig config) {
        NotifierApp app = new NotifierApp(config);
        app.listenOn = new InetSocketAddress(config.bindHost(), config.port());
        app.http.start();
        app.view.start();
        app.pump.start();
        app.replayer.start();
        log.info("notifier listening on http://{}:{} (Kafka {}, {}, group {}, {} attempts, backoff {}..{}, timeout {},"
                        + " allow-list {})", config.bindHost(), app.port(), config.bootstrapServers(),
                config.kafkaSecurity(), config.groupId(), config.maxAttempts(), config.backoffBase(),
                config.backoffMax(), config.requestTimeout(), config.allowList());
        return app;
    }

    public int port() {
        return http.port();
    }

    /** Null when the notifier knows the subscriptions and reads the events; otherwise what is wrong. */
    public String problem() {
        String p = view.problem();
        return p != null ? p : pump.problem();
    }

    /** Waits until the subscriptions are read and the events' partitions assigned; false when not within the time. */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        if (!view.awaitReady(timeout)) return false;
        while (!pump.assigned() && System.nanoTime() < deadline) Thread.sleep(50); // no signal for the assignment
        return pump.assigned();
    }

    public NotifierConfig config() {
        return config;
    }

    /** SIGTERM: stops reading, commits what is done, stops delivering; what is held is sent again after a restart. */
    @Override
    public void close() {
        pump.close();
        replayer.close();
        engine.close();
        producer.close(Duration.ofSeconds(5));
        view.close();
        http.stop();
        log.info("notifier stopped");
    }

    public static void main(String[] args) throws InterruptedException {
        AsyncPool.ensureThreads();
        NotifierApp app = start(NotifierConfig.fromEnv(System.getenv()));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            stopped.countDown();
        }, "notifier-shutdown"));
        stopped.await();
    }
}
