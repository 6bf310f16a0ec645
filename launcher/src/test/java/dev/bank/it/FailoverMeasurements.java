package dev.bank.it;

import dev.bank.gateway.auth.LocalIssuer;
import dev.bank.gateway.auth.Scope;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.awaitility.Awaitility.await;

/**
 * The failover measurements of docs/performance.md (not part of the build: named so neither surefire nor failsafe
 * picks it up). Run one case with
 * <pre>
 * ./mvnw -o -pl launcher -am verify -Dit.test=FailoverMeasurements#pair -Dtest=none \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dbank.failover.runs=5
 * </pre>
 * ({@code #local} for the single {@code ./bank local}). Each run's numbers go to the log and to
 * {@code target/failover-measurements.txt}.
 * <ul>
 *   <li>{@code pair}: two processor JVMs with the shipped defaults (standby 1, session timeout 10 s), credits and
 *       reads on accounts of every partition; per run one is killed (SIGKILL), and once every account answers again it
 *       is restarted and left to warm up until the probing rebalance gives it its tasks back. Recorded: when every
 *       account answered again, after the kill and after the session timeout expired; the longest gap of the
 *       survivor's own partitions; the longest gap of any partition from the restart until 3 s after the tasks moved
 *       back (a second outage).</li>
 *   <li>{@code local}: {@code bank local} (broker, processor, gateway, notifier in one JVM) killed with SIGKILL under
 *       REST reads and writes and started again; recorded: from the new JVM's start until every account answered 200
 *       through the gateway.</li>
 * </ul>
 */
class FailoverMeasurements {
    private static final Logger log = LoggerFactory.getLogger(FailoverMeasurements.class);
    private static final int RUNS = Integer.getInteger("bank.failover.runs", 0);
    private static final Path OUT = Path.of("target", "failover-measurements.txt");

    @TempDir
    Path dir;

    @Test
    void pair() throws Exception {
        Assumptions.assumeTrue(RUNS > 0, "-Dbank.failover.runs=N runs the measurement");
        int sessionTimeoutMs = Integer.getInteger("bank.failover.sessionTimeoutMs", 10_000);
        Map<String, String> settings = new HashMap<>();
        settings.put("BANK_SESSION_TIMEOUT_MS", String.valueOf(sessionTimeoutMs));
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("BANK_"))
                .forEach(k -> settings.put(k, System.getProperty(k)));
        record("pair: settings " + settings + "; load " + load());
        try (TestKafkaCluster kafka = TestKafkaCluster.start(1);
             FailoverIT.Pair pair = FailoverIT.Pair.start(kafka, dir, settings, "m")) {
            pair.awaitBalancedWithStandbys();
            for (int run = 0; run < RUNS; run++) {
                int v = run % 2;
                ProcessorProcess victim = pair.processors.get(v);
                String victimId = "m-" + v;
                String survivorId = "m-" + (1 - v);
                Set<Integer> survivorsOwn = new TreeSet<>(pair.activePartitions().get(survivorId));
                Set<Integer> victimsOwn = new TreeSet<>(pair.activePartitions().get(victimId));
                try (FailoverProbe probe = pair.probe()) {
                    pair.awaitAllAnswering(probe);
                    long killedAt = probe.nowMs();
                    victim.kill();
                    await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(100)).until(() ->
                            probe.nowMs() > killedAt + sessionTimeoutMs
                                    && FailoverIT.Pair.servesEveryPartition(pair.processors.get(1 - v))
                                    && probe.firstAllGood(pair.allPartitions(), probe.nowMs() - 300) > 0);
                    long allBack = probe.allAnsweringAgain(victimsOwn, killedAt);
                    long survivorGap = probe.longestGap(survivorsOwn, killedAt, probe.nowMs());

                    long restartedAt = probe.nowMs();
                    victim.launch();
                    // the warm-up ends with the probing rebalance (at least a minute): until the victim runs tasks again
                    await().atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                            .until(() -> !pair.activePartitions().getOrDefault(victimId, Set.of()).isEmpty());
                    long movedBack = probe.nowMs();
                    TimeUnit.SECONDS.sleep(3);
                    long secondGap = probe.longestGap(pair.allPartitions(), restartedAt, probe.nowMs());
                    record(String.format("pair run %d: victim %s (partitions %s); every account answered again %d ms "
                                    + "after the kill = %d ms after the session timeout; survivor's own partitions %s "
                                    + "longest gap %d ms; restart: tasks moved back %d ms after the restart, longest gap "
                                    + "of any partition from the restart %d ms; answers %s",
                            run, victimId, victimsOwn, allBack - killedAt, allBack - killedAt - sessionTimeoutMs,
                            survivorsOwn, survivorGap, movedBack - restartedAt, secondGap, probe.statuses()));
                }
                pair.awaitBalancedWithStandbys();
            }
            pair.stopWriting();
            pair.assertEveryCreditAppliedOnce();
        }
    }

    @Test
    void local() throws Exception {
        Assumptions.assumeTrue(RUNS > 0, "-Dbank.failover.runs=N runs the measurement");
        record("local: load " + load());
        Path data = dir.resolve("data");
        LocalIssuer issuer = LocalIssuer.inDirectory(data); // made before the first start: bank local uses it
        String admin = issuer.token("admin", List.of(Scope.READ, Scope.WRITE, Scope.ADMIN), Duration.ofHours(2));
        Map<String, String> env = new HashMap<>();
        env.put("BANK_DATA_DIR", data.toString());
        env.put("BANK_KAFKA_PORT", String.valueOf(BankStack.freePort()));
        env.put("BANK_CONTROLLER_PORT", String.valueOf(BankStack.freePort()));
        env.put("BANK_QUERY_PORT", String.valueOf(BankStack.freePort()));
        int gatewayPort = BankStack.freePort();
        env.put("BANK_GATEWAY_PORT", String.valueOf(gatewayPort));
        env.put("BANK_NOTIFIER_PORT", String.valueOf(BankStack.freePort()));
        String gateway = "http://127.0.0.1:" + gatewayPort;
        List<String> accounts = FailoverProbe.accountsOnEveryPartition("local", 6, 1);
        Path logFile = ProcessorProcess.logDir().resolve("failover-local.log");
        Process bank = launchLocal(env, logFile);
        HttpClient http = HttpClient.newHttpClient();
        try {
            await().atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() ->
                    post(http, gateway + "/accounts", admin, "{\"accountId\":\"" + accounts.get(0)
                            + "\",\"currency\":\"EUR\",\"owner\":\"admin\",\"transactionId\":\"open-0\"}") / 100 == 2);
            for (int i = 1; i < accounts.size(); i++) {
                post(http, gateway + "/accounts", admin, "{\"accountId\":\"" + accounts.get(i)
                        + "\",\"currency\":\"EUR\",\"owner\":\"admin\",\"transactionId\":\"open-" + i + "\"}");
            }
            AtomicBoolean writing = new AtomicBoolean(true);
            Thread writer = new Thread(() -> {
                for (int n = 0; writing.get(); n++) {
                    try {
                        post(http, gateway + "/transaction", admin, "{\"accountId\":\"" + accounts.get(n % accounts
                                .size()) + "\",\"amount\":1,\"type\":\"credit\",\"transactionId\":\"c-" + n + "\"}");
                        TimeUnit.MILLISECONDS.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        // down: keep trying, as a client would
                    }
                }
            }, "local-writer");
            writer.setDaemon(true);
            writer.start();
            for (int run = 0; run < RUNS; run++) {
                try (FailoverProbe probe = new FailoverProbe(List.of(gateway), accounts,
                        i -> "/balance/" + accounts.get(i), 6, admin, Duration.ofMillis(100)).start()) {
                    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() ->
                            probe.firstAllGood(Set.of(0, 1, 2, 3, 4, 5), probe.nowMs() - 300) > 0);
                    TimeUnit.SECONDS.sleep(2);
                    long killedAt = probe.nowMs();
                    bank.destroyForcibly().waitFor();
                    long startedAt = probe.nowMs();
                    bank = launchLocal(env, logFile);
                    await().atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofMillis(100)).until(() ->
                            probe.firstAllGood(Set.of(0, 1, 2, 3, 4, 5), startedAt) > 0);
                    long answering = probe.firstAllGood(Set.of(0, 1, 2, 3, 4, 5), startedAt);
                    record(String.format("local run %d: every account answered %d ms after the new JVM started "
                                    + "(%d ms after the kill); answers %s", run, answering - startedAt,
                            answering - killedAt, probe.statuses()));
                }
            }
            writing.set(false);
            writer.interrupt();
        } finally {
            bank.destroy();
            if (!bank.waitFor(30, TimeUnit.SECONDS)) bank.destroyForcibly();
        }
    }

    private static Process launchLocal(Map<String, String> env, Path logFile) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx768m", "-cp", System.getProperty("java.class.path"),
                "dev.bank.launcher.Main", "local");
        builder.environment().putAll(env);
        Files.createDirectories(logFile.getParent());
        builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        return builder.start();
    }

    private static int post(HttpClient http, String url, String token, String json) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    private static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim() + " (loadavg), "
                    + Runtime.getRuntime().availableProcessors() + " cores";
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static void record(String line) throws IOException {
        log.info(line);
        Files.createDirectories(OUT.toAbsolutePath().getParent());
        Files.writeString(OUT, line + System.lineSeparator(), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }
}
