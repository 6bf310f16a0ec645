package dev.bank.bench;

import dev.bank.gateway.auth.LocalIssuer;
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
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What {@code ./bank local} runs ({@link LocalBank}), started in this JVM for one benchmark run: the embedded KRaft
 * broker, the topics, the processor(s) and the gateway, on free 127.0.0.1 ports and in a fresh temporary directory that is
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
        LocalBank bank = LocalBank.start(new LocalBank.Options(dir, local, 0, 0, config.processors(), issuer,
                gateway -> gateway.withPort(0).withOutcomeTimeout(OUTCOME_TIMEOUT), START_TIMEOUT, true, null), this::add);
        bootstrapServers = bank.bootstrapServers();
        processorUrls = bank.processorUrls();
        serviceToken = bank.serviceToken().value();
        gatewayUrl = "http://" + HOST + ":" + bank.gateway().port();
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
