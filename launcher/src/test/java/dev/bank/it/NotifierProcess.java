package dev.bank.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/**
 * A webhook notifier in a JVM of its own, started with {@code NotifierApp.main} and environment variables as in
 * production, so a test can kill it the way a crash does: SIGKILL ({@link Process#destroyForcibly()} on Linux), no
 * shutdown hook, no last commit.
 */
public final class NotifierProcess implements AutoCloseable {
    private final Map<String, String> env;
    private final int port;
    private final Path log;
    private Process process;

    public NotifierProcess(Map<String, String> env, int port, Path log) {
        this.env = Map.copyOf(env);
        this.port = port;
        this.log = log;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Starts the JVM and waits until it is ready: subscriptions read, events' partitions assigned. */
    public NotifierProcess start() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                "dev.bank.notifier.NotifierApp");
        builder.environment().putAll(env);
        builder.environment().put("BANK_NOTIFIER_PORT", String.valueOf(port));
        builder.environment().put("BANK_NOTIFIER_BIND_HOST", "127.0.0.1");
        builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        try {
            Files.createDirectories(log.getParent());
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest probe = HttpRequest.newBuilder(URI.create(url() + "/health/ready")).timeout(Duration.ofSeconds(2))
                .build();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
            if (!process.isAlive()) throw new IllegalStateException("notifier died; see " + log);
            return client.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        });
        return this;
    }

    /** SIGKILL: the notifier vanishes mid-delivery, as in a crash or an OOM kill. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Its {@code /metrics}, as Prometheus reads them. */
    public String metrics() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) process.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}
