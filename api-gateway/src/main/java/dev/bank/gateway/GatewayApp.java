package dev.bank.gateway;

import dev.bank.gateway.config.GatewayConfig;
import dev.bank.gateway.events.LiveEvents;
import dev.bank.gateway.http.BankApi;
import dev.bank.gateway.kafka.CommandPublisher;
import dev.bank.gateway.kafka.EventHub;
import dev.bank.gateway.kafka.FxRateBook;
import dev.bank.gateway.kafka.OutcomeListener;
import dev.bank.gateway.kafka.ProcessorClient;
import dev.bank.gateway.kafka.WebhookBook;
import dev.bank.observability.AsyncPool;
import dev.bank.observability.Observability;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * One gateway instance: the REST API, its Kafka producer and replies listener, and the live event streams with the
 * events topic's reader. {@code main} wires and waits.
 */
public final class GatewayApp implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GatewayApp.class);

    private final CommandPublisher publisher;
    private final OutcomeListener outcomes;
    private final ProcessorClient processors;
    private final FxRateBook rates;
    private final EventHub eventHub;
    private final LiveEvents live;
    private final WebhookBook webhooks;
    private final BankApi api;
    private final PrometheusMeterRegistry registry = Observability.registry("bank-gateway");
    private final List<AutoCloseable> clientMetrics;
    private final Duration outcomeTimeout;

    private GatewayApp(GatewayConfig config) {
        String serviceToken = config.api().requireServiceToken(); // before anything starts: no half-started gateway
        this.outcomeTimeout = config.outcomeTimeout();
        this.publisher = new CommandPublisher(config);
        this.outcomes = new OutcomeListener(config).start();
        this.eventHub = new EventHub(config).start(registry);
        this.clientMetrics = List.of(publisher.bindMetrics(registry), outcomes.bindMetrics(registry),
                eventHub.bindMetrics(registry));
        Gauge.builder("bank.gateway.waiting", outcomes, OutcomeListener::waiting)
                .description("Requests waiting for their outcome").register(registry);
        this.processors = new ProcessorClient(config.processorUrls(), serviceToken, config.directReads(), registry);
        this.rates = new FxRateBook(config, Clock.systemUTC()).start(registry);
        this.webhooks = new WebhookBook(config, publisher).start(registry);
        this.live = new LiveEvents(config.events(), eventHub, registry, Clock.systemUTC());
        this.api = new BankApi(publisher, outcomes, processors, config.outcomeTimeout(), registry, config.api(), rates,
                Clock.systemUTC(), config.kafkaTimeout(), webhooks, config.webhooks(), live);
    }

    public static GatewayApp start(GatewayConfig config) {
        GatewayApp app = new GatewayApp(config);
        app.api.start(config.bindHost(), config.port());
        log.info("gateway listening on http://localhost:{} (Kafka {}, {}, processors {})", app.port(),
                config.bootstrapServers(), config.kafkaSecurity(), config.processorUrls());
        return app;
    }

    public int port() {
        return api.port();
    }

    /** Every HTTP route the gateway serves, as {@code "METHOD /path"}. */
    public List<String> routes() {
        return api.routes();
    }

    /** The access rule of each route ({@code PUBLIC}, {@code READ}, {@code WRITE}, {@code ADMIN}). */
    public Map<String, String> accessRules() {
        return api.accessRules();
    }

    /** True once the gateway can publish commands and will see their outcomes. */
    public boolean ready() {
        return outcomes.ready();
    }

    /** Waits until the gateway knows every webhook subscription on its topic (tests); false when not in time. */
    public boolean awaitWebhooks(Duration timeout) throws InterruptedException {
        return webhooks.awaitReady(timeout);
    }

    /** Waits until the gateway is {@link #ready}; false when it was not within {@code timeout}. */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        return outcomes.awaitReady(timeout);
    }

    /** Waits until the gateway follows the events topic, so a live stream opened from now on misses nothing. */
    public boolean awaitEventsReady(Duration timeout) throws InterruptedException {
        return eventHub.awaitReady(timeout);
    }

    /** Live event streams open right now. */
    public int liveStreams() {
        return live.open();
    }

    /**
     * SIGTERM: refuses new commands and waits for the waiting ones to be answered, ends every live event stream
     * cleanly (its client reconnects elsewhere with Last-Event-ID), then stops the HTTP server, and only then closes
     * the Kafka clients (the producer flushes what it holds).
     */
    @Override
    public void close() {
        api.drain(outcomeTimeout.plusSeconds(1));
        live.close();
        api.close();
        processors.close();
        for (AutoCloseable metrics : clientMetrics) {
            try {
                metrics.close();
            } catch (Exception e) {
                log.warn("closing Kafka client metrics failed: {}", e.toString());
            }
        }
        publisher.close();
        outcomes.close();
        rates.close();
        webhooks.close();
        eventHub.close();
        log.info("gateway stopped");
    }

    public static void main(String[] args) throws InterruptedException {
        AsyncPool.ensureThreads();
        GatewayApp app = start(GatewayConfig.fromEnv(System.getenv()));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            stopped.countDown();
        }, "gateway-shutdown"));
        stopped.await();
    }
}
