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
 * A processor instance in a JVM of its own, started with {@code ProcessorApp.main} and environment variables
 * as in production, so a test can kill it the way a crash does: SIGKILL, no shutdown hook, no clean close.
 */
public final class ProcessorProcess implements AutoCloseable {
    private final Map<String, String> env;
    private final int queryPort;
    private final Path log;
    private Process process;

    public ProcessorProcess(Map<String, String> env, int queryPort, Path log) {
        this.env = Map.copyOf(env);
        this.queryPort = queryPort;
        this.log = log;
    }

    public String queryUrl() {
        return "http://127.0.0.1:" + queryPort;
    }

    /** Starts the JVM and waits until its query API answers for accounts (Streams RUNNING). */
    public ProcessorProcess start() {
        launch();
        awaitRunning(Duration.ofSeconds(120));
        return this;
    }

    /** Starts the JVM without waiting for it. */
    public void launch() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx384m", "-cp", System.getProperty("java.class.path"),
                "dev.bank.processor.ProcessorApp");
        builder.environment().putAll(env);
        builder.environment().put("BANK_QUERY_PORT", String.valueOf(queryPort));
        builder.environment().put("BANK_QUERY_HOST", "127.0.0.1");
        builder.environment().putIfAbsent("BANK_SERVICE_TOKEN", BankStack.SERVICE_TOKEN);
        builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        try {
            Files.createDirectories(log.getParent());
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until any query answers 200 or 404 (not 503): the instance is RUNNING and its stores answer. */
    public void awaitRunning(Duration timeout) {
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest probe = HttpRequest.newBuilder(URI.create(queryUrl() + "/internal/accounts/probe"))
                .header("Authorization", "Bearer " + BankStack.SERVICE_TOKEN).timeout(Duration.ofSeconds(2)).build();
        await().atMost(timeout).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() -> {
            if (!process.isAlive()) throw new IllegalStateException("processor died; see " + log);
            int status = client.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode();
            return status == 200 || status == 404;
        });
    }

    /** Sends a signal ({@code STOP}, {@code CONT}, ...) to the JVM. */
    public void signal(String name) throws IOException, InterruptedException {
        int exit = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start().waitFor();
        if (exit != 0) throw new IllegalStateException("kill -" + name + " " + process.pid() + " exited " + exit);
    }

    /** SIGKILL: the instance vanishes mid-transaction, as in a crash or an OOM kill. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroy(); // SIGTERM: the shutdown hook closes Streams cleanly
            try {
                if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) process.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    static Path logDir() {
        return Path.of("target", "bank-test-logs").toAbsolutePath();
    }

}
