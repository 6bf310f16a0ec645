package dev.bank.it;

import dev.bank.gateway.GatewayApp;
import dev.bank.gateway.auth.LocalIssuer;
import dev.bank.gateway.auth.Scope;
import dev.bank.gateway.config.GatewayConfig;
import dev.bank.launcher.TopicCreator;
import dev.bank.processor.ProcessorApp;
import dev.bank.processor.config.ProcessorConfig;
import dev.bank.schemas.Topics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real system for integration tests: topics created on a real broker, processor instances and a gateway
 * started with their production code and configuration, on free ports.
 */
public final class BankStack {
    /** The query API credential every test processor and gateway shares ({@code BANK_SERVICE_TOKEN}). */
    public static final String SERVICE_TOKEN = "it-service-token-0123456789abcdef";
    /** The customer the tests act as unless they say otherwise (scopes bank:read and bank:write). */
    public static final String CUSTOMER = "it-customer";

    /** The tests' token issuer (its key lives in memory), which every test gateway trusts. */
    private static final LocalIssuer ISSUER = issuer();

    private final String bootstrapServers;
    private final Topics topics = Topics.defaults();

    public BankStack(String bootstrapServers) {
        this(bootstrapServers, Topics.defaults().specs());
    }

    /** A stack on a cluster where only {@code specs} are created: a deployment that lacks some of its topics. */
    public BankStack(String bootstrapServers, java.util.List<dev.bank.schemas.TopicSpec> specs) {
        this.bootstrapServers = bootstrapServers;
        TopicCreator.createAll(bootstrapServers, specs, Duration.ofSeconds(60));
    }

    private static LocalIssuer issuer() {
        try {
            return LocalIssuer.ephemeral(java.nio.file.Files.createTempDirectory("bank-it-auth")
                    .resolve("public-key.jwk"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The tests' issuer itself, for tests that forge tokens with its key. */
    public static LocalIssuer issuerForTests() {
        return ISSUER;
    }

    /** A token of the test issuer, which every test gateway trusts. */
    public static String token(String subject, Scope... scopes) {
        return ISSUER.token(subject, List.of(scopes), Duration.ofHours(1));
    }

    /** The test customer's token ({@link #CUSTOMER}: read and write). */
    public static String customerToken() {
        return token(CUSTOMER, Scope.READ, Scope.WRITE);
    }

    /** An admin's token (every scope). */
    public static String adminToken() {
        return token("it-admin", Scope.READ, Scope.WRITE, Scope.ADMIN);
    }

    /** A gateway's REST API, as the test customer. */
    public static Http rest(int gatewayPort) {
        return new Http("http://127.0.0.1:" + gatewayPort).as(customerToken());
    }

    /** A gateway configuration with the tests' service credential, trusting the tests' issuer. */
    public static GatewayConfig secured(GatewayConfig config) {
        return config.withApi(config.api().withServiceToken(new dev.bank.observability.Secret(SERVICE_TOKEN))
                .trusting(ISSUER.publicKeyFile()));
    }

    /** A processor's query API, with the service credential. */
    public static Http query(String queryUrl) {
        return new Http(queryUrl).as(SERVICE_TOKEN);
    }

    public Topics topics() {
        return topics;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public ProcessorConfig processorConfig(Path stateDir) {
        return ProcessorConfig.fromEnv(Map.of("BANK_QUERY_HOST", "127.0.0.1", "BANK_SERVICE_TOKEN", SERVICE_TOKEN))
                .withBootstrapServers(bootstrapServers)
                .withStateDir(stateDir)
                .withQueryPort(freePort());
    }

    /** Starts a processor on its own state directory and waits until it is RUNNING. */
    public ProcessorApp startProcessor(ProcessorConfig config) throws InterruptedException {
        ProcessorApp processor = ProcessorApp.start(config);
        assertThat(processor.awaitRunning(Duration.ofSeconds(90))).as("processor reaches RUNNING").isTrue();
        return processor;
    }

    public GatewayApp startGateway(List<String> processorUrls) {
        return startGateway(gatewayConfig(processorUrls));
    }

    public GatewayConfig gatewayConfig(List<String> processorUrls) {
        return secured(GatewayConfig.fromEnv(Map.of("BANK_GATEWAY_BIND_HOST", "127.0.0.1")))
                .withBootstrapServers(bootstrapServers)
                .withProcessorUrls(processorUrls)
                .withPort(0)
                .withOutcomeTimeout(Duration.ofSeconds(20));
    }

    /** Starts a gateway and waits until it listens for outcomes, follows the account events and knows the webhooks. */
    public GatewayApp startGateway(GatewayConfig config) {
        GatewayApp gateway = GatewayApp.start(config);
        try {
            assertThat(gateway.awaitReady(Duration.ofSeconds(60))).as("gateway reads its replies partition").isTrue();
            assertThat(gateway.awaitEventsReady(Duration.ofSeconds(60))).as("gateway follows the account events")
                    .isTrue();
            assertThat(gateway.awaitWebhooks(Duration.ofSeconds(60))).as("gateway knows the webhook subscriptions")
                    .isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return gateway;
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
