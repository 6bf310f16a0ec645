package dev.bank.it;

import dev.bank.gateway.GatewayApp;
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
    private final String bootstrapServers;
    private final Topics topics = Topics.defaults();

    public BankStack(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
        TopicCreator.createAll(bootstrapServers, topics.specs(), Duration.ofSeconds(60));
    }

    public Topics topics() {
        return topics;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public ProcessorConfig processorConfig(Path stateDir) {
        return ProcessorConfig.fromEnv(Map.of("BANK_QUERY_HOST", "127.0.0.1"))
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
        return GatewayConfig.fromEnv(Map.of("BANK_GATEWAY_BIND_HOST", "127.0.0.1"))
                .withBootstrapServers(bootstrapServers)
                .withProcessorUrls(processorUrls)
                .withPort(0)
                .withOutcomeTimeout(Duration.ofSeconds(20));
    }

    /** Starts a gateway and waits until it listens for outcomes. */
    public GatewayApp startGateway(GatewayConfig config) {
        GatewayApp gateway = GatewayApp.start(config);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(gateway::ready);
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
