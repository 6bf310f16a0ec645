package dev.bank.launcher;

import dev.bank.gateway.GatewayApp;
import dev.bank.gateway.auth.LocalIssuer;
import dev.bank.gateway.config.GatewayConfig;
import dev.bank.observability.InternalApi;
import dev.bank.observability.KafkaSecurity;
import dev.bank.observability.Secret;
import dev.bank.notifier.NotifierApp;
import dev.bank.notifier.NotifierConfig;
import dev.bank.processor.ProcessorApp;
import dev.bank.processor.config.ProcessorConfig;
import dev.bank.schemas.Topics;
import org.apache.kafka.streams.KafkaStreams;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * The one way to run a whole bank in one JVM: broker → topics → processors → gateway → notifier, each started only once
 * the part before it is ready, by its own readiness signal (the broker's start, the topics created, every processor
 * RUNNING at the same moment, the gateway reading outcomes and following the account events, the notifier knowing the
 * subscriptions and reading events). {@code ./bank local} and the bench's in-process bank are this composition with
 * different {@link Options}. The processors and the gateway share a fresh service credential and the gateway trusts
 * the tokens of the given issuer; the broker is PLAINTEXT on loopback.
 */
public final class LocalBank {
    /** Takes each started part, so whoever owns the lifecycle stops them, last started first. */
    public interface Parts {
        <T extends AutoCloseable> T add(String name, T part);
    }

    /**
     * @param dataDir        the broker's log and the processors' state live under it
     * @param env            the environment the parts read their configuration from ({@code BANK_*})
     * @param kafkaPort      the broker's port (0: any free one); its controller's in {@code controllerPort}
     * @param processors     how many processors (each with its own state directory and query port)
     * @param issuer         whose tokens the gateway accepts
     * @param gateway        adjusts the gateway's configuration (its port, its outcome time-out)
     * @param startTimeout   how long each part may take to become ready
     * @param processorsMustRun false: a processor not yet RUNNING after the time-out is reported and left to go on
     *                       trying (a restart with much state to restore), true: it fails the start
     * @param serviceToken   the query API's credential; null for a fresh one
     */
    public record Options(Path dataDir, Map<String, String> env, int kafkaPort, int controllerPort, int processors,
                          LocalIssuer issuer, UnaryOperator<GatewayConfig> gateway, Duration startTimeout,
                          boolean processorsMustRun, Secret serviceToken) {
    }

    private final EmbeddedBroker broker;
    private final List<ProcessorApp> processors;
    private final GatewayApp gateway;
    private final NotifierApp notifier;
    private final Secret serviceToken;

    private LocalBank(EmbeddedBroker broker, List<ProcessorApp> processors, GatewayApp gateway, NotifierApp notifier,
                      Secret serviceToken) {
        this.broker = broker;
        this.processors = processors;
        this.gateway = gateway;
        this.notifier = notifier;
        this.serviceToken = serviceToken;
    }

    public static LocalBank start(Options options, Parts parts) throws InterruptedException {
        Duration timeout = options.startTimeout();
        EmbeddedBroker broker = parts.add("Kafka broker",
                EmbeddedBroker.start(options.dataDir(), options.kafkaPort(), options.controllerPort()));
        String bootstrap = broker.bootstrapServers();
        TopicCreator.createAll(bootstrap, Topics.fromEnv(options.env()).specs(), timeout);

        Secret serviceToken = options.serviceToken() != null ? options.serviceToken()
                : new Secret(InternalApi.newServiceToken());
        // started together and awaited together: each one joining the group rebalances the others
        List<ProcessorApp> processors = new ArrayList<>();
        for (int i = 0; i < options.processors(); i++) {
            ProcessorConfig config = ProcessorConfig.fromEnv(options.env()).withBootstrapServers(bootstrap)
                    .withKafkaSecurity(KafkaSecurity.PLAINTEXT).withServiceToken(serviceToken);
            if (options.env().get("BANK_STATE_DIR") == null) {
                config = config.withStateDir(options.dataDir().resolve(i == 0 ? "streams" : "streams-" + i));
            }
            if (options.processors() > 1) config = config.withQueryPort(freePort());
            // static membership: after a crash (kill -9) the restarted instance takes its old place in the group at
            // once instead of waiting out the dead member's session timeout
            String instanceId = options.env().getOrDefault("BANK_PROCESSOR_INSTANCE_ID", "bank-local-processor");
            config = config.withFailover(config.failover().withInstanceId(
                    options.processors() == 1 ? instanceId : instanceId + "-" + i));
            processors.add(parts.add(options.processors() == 1 ? "processor" : "processor " + i,
                    ProcessorApp.start(config)));
        }
        awaitAllRunning(processors, options);

        GatewayConfig gatewayConfig = GatewayConfig.fromEnv(options.env());
        GatewayApp gateway = parts.add("gateway", GatewayApp.start(options.gateway().apply(gatewayConfig
                .withBootstrapServers(bootstrap)
                .withKafkaSecurity(KafkaSecurity.PLAINTEXT)
                .withApi(gatewayConfig.api().withServiceToken(serviceToken).trusting(options.issuer().publicKeyFile()))
                .withProcessorUrls(processors.stream().map(ProcessorApp::queryUrl).toList()))));
        if (!gateway.awaitReady(timeout)) {
            throw new IllegalStateException("the gateway did not read its partition of the replies topic within "
                    + timeout);
        }
        if (!gateway.awaitEventsReady(timeout)) {
            throw new IllegalStateException("the gateway did not follow the account events topic within " + timeout);
        }
        // and knows every webhook subscription, so POST /webhooks answers from the start, not 503
        if (!gateway.awaitWebhooks(timeout)) {
            throw new IllegalStateException("the gateway did not read the webhook subscriptions within " + timeout);
        }
        // webhooks: closed by default (BANK_WEBHOOK_ALLOWED_HOSTS=localhost lets a local receiver be a target);
        // BANK_NOTIFIER_ENABLED=false leaves the notifier out (one runs elsewhere: ./bank notifier)
        NotifierApp notifier = null;
        if (!"false".equalsIgnoreCase(options.env().getOrDefault("BANK_NOTIFIER_ENABLED", "true"))) {
            notifier = parts.add("notifier", NotifierApp.start(NotifierConfig.fromEnv(options.env())
                    .withBootstrapServers(bootstrap).withKafkaSecurity(KafkaSecurity.PLAINTEXT)));
            if (!notifier.awaitReady(timeout)) {
                throw new IllegalStateException("the notifier did not read the subscriptions and events within "
                        + timeout);
            }
        }
        return new LocalBank(broker, List.copyOf(processors), gateway, notifier, serviceToken);
    }

    /**
     * Until every processor is RUNNING at the same moment: each one's first RUNNING is awaited on its latch, then, as
     * one joining may rebalance the others, their states are checked together until they agree.
     */
    private static void awaitAllRunning(List<ProcessorApp> processors, Options options) throws InterruptedException {
        long deadline = System.nanoTime() + options.startTimeout().toNanos();
        for (ProcessorApp p : processors) {
            long left = Math.max(0, deadline - System.nanoTime());
            if (!p.awaitRunning(Duration.ofNanos(left))) break;
        }
        while (!processors.stream().allMatch(p -> p.state() == KafkaStreams.State.RUNNING)) {
            boolean failed = processors.stream().anyMatch(p -> p.state() == KafkaStreams.State.ERROR);
            if (failed || System.nanoTime() > deadline) {
                String states = processors.stream().map(p -> p.state().toString()).toList().toString();
                if (options.processorsMustRun() || failed) {
                    throw new IllegalStateException("processors did not all reach RUNNING within "
                            + options.startTimeout() + ": " + states);
                }
                org.slf4j.LoggerFactory.getLogger(LocalBank.class).warn(
                        "processors not RUNNING after {}s ({}); carrying on, they keep trying",
                        options.startTimeout().toSeconds(), states);
                return;
            }
            TimeUnit.MILLISECONDS.sleep(50); // a rebalance among them is settling: no signal tells when
        }
    }

    public EmbeddedBroker broker() {
        return broker;
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    public List<ProcessorApp> processors() {
        return processors;
    }

    public List<String> processorUrls() {
        return processors.stream().map(ProcessorApp::queryUrl).toList();
    }

    public GatewayApp gateway() {
        return gateway;
    }

    /** The notifier; null when {@code BANK_NOTIFIER_ENABLED=false} left it out. */
    public NotifierApp notifier() {
        return notifier;
    }

    /** The query API's credential every part of this bank shares. */
    public Secret serviceToken() {
        return serviceToken;
    }

    /** A port free on loopback right now, for a part that must not take a well-known one. */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }
}
