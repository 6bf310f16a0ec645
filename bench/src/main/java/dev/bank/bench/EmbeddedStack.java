package dev.bank.bench;

import dev.bank.gateway.GatewayApp;
import dev.bank.gateway.auth.LocalIssuer;
import dev.bank.gateway.config.GatewayConfig;
import dev.bank.observability.KafkaSecurity;
import dev.bank.launcher.LocalBank;
import dev.bank.gateway.auth.Scope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What {@code ./bank local} runs ({@link LocalBank}), started in this JVM for one benchmark run: the embedded KRaft
 * broker, the topics, the processor(s) and the gateway (and {@code BANK_BENCH_GATEWAYS} − 1 more gateways beside it),
 * on free 127.0.0.1 ports and in a fresh temporary directory that is
 * deleted afterwards. The services read the usual {@code BANK_*} variables (commit interval, stream threads,
 * topic partitions...), so a tuning change is measured by setting them; only addresses and directories are
 * overridden.
 */
final class EmbeddedStack implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedStack.class);
    private static final String HOST = "127.0.0.1";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    /** Generous: at 1000 requests in flight an outcome may queue for seconds, and a 202 would be an error. */
    private static final Duration OUTCOME_TIMEOUT = Duration.ofSeconds(30);

    private final Path dir;
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private String bootstrapServers;
    private List<String> processorUrls = List.of();
    private String gatewayUrl;
    private String serviceToken;
    private LocalIssuer issuer;

    private EmbeddedStack(Path dir) {
        this.dir = dir;
    }

    static EmbeddedStack start(BenchConfig config, Map<String, String> env) {
        long t0 = System.nanoTime();
        Path dir;
        try {
            dir = Files.createTempDirectory("bank-bench-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary data directory", e);
        }
        EmbeddedStack stack = new EmbeddedStack(dir);
        try {
            stack.startAll(config, env);
        } catch (RuntimeException | InterruptedException e) {
            stack.close();
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            throw new IllegalStateException("cannot start the in-process bank: " + e, e);
        }
        log.info("in-process bank up in {} ms: Kafka {}, processors {}, gateway {} (data in {})",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), stack.bootstrapServers, stack.processorUrls,
                stack.gatewayUrl, dir);
        return stack;
    }

    private void startAll(BenchConfig config, Map<String, String> env) throws InterruptedException {
        issuer = LocalIssuer.ephemeral(dir.resolve("auth").resolve("public-key.jwk"));
        Map<String, String> local = new HashMap<>(env);
        local.put("BANK_QUERY_HOST", HOST);
        local.put("BANK_QUERY_BIND_HOST", HOST);
        local.put("BANK_GATEWAY_BIND_HOST", HOST);
        // not 8081: a ./bank local may be running beside the bench
        local.put("BANK_QUERY_PORT", String.valueOf(LocalBank.freePort()));
        local.putIfAbsent("BANK_NOTIFIER_PORT", "0");
        // the bench measures throughput with one principal; its rate limit is not what is measured
        local.putIfAbsent("BANK_RATE_LIMIT_PER_SECOND", "10000000");
        // the live-events scenario's streams all belong to the bench's principal; the limits are not what is measured
        local.putIfAbsent("BANK_EVENTS_MAX_STREAMS", "1000000");
        local.putIfAbsent("BANK_EVENTS_MAX_STREAMS_PER_PRINCIPAL", "1000000");
        // Each scenario sends an account many debits a second, which the fraud rules' velocity limit holds for review
        // (so their self-checks would fail). What the rules cost is the fraud scenario's to measure, in processors of
        // its own, against the rules off; BANK_FRAUD_ENABLED=true measures every scenario with them.
        local.putIfAbsent("BANK_FRAUD_ENABLED", "false");
        LocalBank bank = LocalBank.start(new LocalBank.Options(dir, gateway(local, 0), 0, 0, config.processors(),
                issuer, gateway -> gateway.withPort(0).withOutcomeTimeout(OUTCOME_TIMEOUT), START_TIMEOUT, true, null),
                this::add);
        bootstrapServers = bank.bootstrapServers();
        processorUrls = bank.processorUrls();
        serviceToken = bank.serviceToken().value();
        List<String> urls = new ArrayList<>(List.of("http://" + HOST + ":" + bank.gateway().port()));
        // more gateway instances beside LocalBank's, configured as it configures its own
        for (int i = 1; i < config.gateways(); i++) {
            GatewayConfig base = GatewayConfig.fromEnv(gateway(local, i));
            GatewayApp more = add("gateway " + i, GatewayApp.start(base.withBootstrapServers(bootstrapServers)
                    .withKafkaSecurity(KafkaSecurity.PLAINTEXT)
                    .withApi(base.api().withServiceToken(bank.serviceToken()).trusting(issuer.publicKeyFile()))
                    .withProcessorUrls(processorUrls).withPort(0).withOutcomeTimeout(OUTCOME_TIMEOUT)));
            if (!more.awaitReady(START_TIMEOUT) || !more.awaitEventsReady(START_TIMEOUT)
                    || !more.awaitWebhooks(START_TIMEOUT)) {
                throw new IllegalStateException("gateway " + i + " did not start within " + START_TIMEOUT);
            }
            urls.add("http://" + HOST + ":" + more.port());
        }
        gatewayUrl = String.join(",", urls);
    }

    /**
     * Gateway instance {@code i}'s environment: its own name and partition of the replies topic (so that no two share
     * one), unless the bench's environment sets them.
     */
    private static Map<String, String> gateway(Map<String, String> env, int i) {
        Map<String, String> own = new HashMap<>(env);
        own.putIfAbsent("BANK_GATEWAY_INSTANCE_ID", "bench-gateway-" + i);
        own.putIfAbsent("BANK_GATEWAY_REPLY_PARTITION", String.valueOf(i));
        return own;
    }

    private <T extends AutoCloseable> T add(String name, T part) {
        started.push(part);
        return part;
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    /** The query API's credential every part of this bank shares. */
    String serviceToken() {
        return serviceToken;
    }

    /** A bearer token of {@link Workload#PRINCIPAL} (read and write), which this bank's gateway trusts. */
    String token() {
        return issuer.token(Workload.PRINCIPAL, List.of(Scope.READ, Scope.WRITE), Duration.ofHours(24));
    }

    /** The first processor's query API: the one the gateway asks first. */
    String processorUrl() {
        return processorUrls.get(0);
    }

    /** The gateways' URLs, comma-separated. */
    String gatewayUrl() {
        return gatewayUrl;
    }

    /** Stops the gateway, the processors and the broker, then deletes the data. */
    @Override
    public void close() {
        while (!started.isEmpty()) {
            AutoCloseable c = started.pop();
            try {
                c.close();
            } catch (Exception e) {
                log.warn("closing {} failed", c.getClass().getSimpleName(), e);
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            log.warn("cannot delete {}: {}", dir, e.toString());
        }
    }
}
