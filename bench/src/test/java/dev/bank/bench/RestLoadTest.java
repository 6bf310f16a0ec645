package dev.bank.bench;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The open loop's schedule and its latency accounting, against a stand-in server that takes at least 20 ms per
 * request. Only lower bounds are asserted (what must hold however slow the machine), never a speed.
 */
class RestLoadTest {
    private static final long SERVICE_MS = 20;

    private HttpServer server;
    private RestLoad http;
    private String url;

    @BeforeEach
    void startSlowServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        server.createContext("/slow", exchange -> {
            try {
                Thread.sleep(SERVICE_MS); // the stand-in's service time
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start(); // no executor: one request at a time
        http = new RestLoad();
        url = "http://127.0.0.1:" + server.getAddress().getPort() + "/slow";
    }

    @AfterEach
    void stop() {
        http.close();
        server.stop(0);
    }

    @Test
    void dueTimesAreComputedFromTheStartSoRoundingNeverAccumulates() {
        assertThat(RestLoad.dueNanos(5_000, 0, 1_500)).isEqualTo(5_000);
        assertThat(RestLoad.dueNanos(0, 1, 3)).isEqualTo(333_333_333);
        // adding the rounded interval three times would give 999_999_999
        assertThat(RestLoad.dueNanos(0, 3, 3)).isEqualTo(1_000_000_000);
        assertThat(RestLoad.dueNanos(0, 1_500_000, 1_500)).isEqualTo(1_000_000_000_000L);
    }

    @Test
    void openLoopSendsNoRequestBeforeItIsDue() {
        // 5 requests at 20/s: the last is due 200 ms after the start, so the run cannot end sooner
        RestLoad.Run run = http.run("paced", 5, 5, 20, i -> RestLoad.request(url).GET().build(),
                (i, response) -> response.statusCode() == 200 ? null : "HTTP " + response.statusCode(),
                Duration.ofSeconds(30));

        assertThat(run.failures()).isEmpty();
        assertThat(run.rate()).isEqualTo(20);
        assertThat(run.elapsedNanos()).isGreaterThanOrEqualTo(Duration.ofMillis(200).toNanos());
    }

    @Test
    void openLoopCountsTheBacklogInTheLatencyFromEachRequestsDueTime() {
        // Given 10 requests offered at 1000/s but one slot and a server needing >= 20 ms each
        int n = 10;
        RestLoad.Run run = http.run("backlog", n, 1, 1_000, i -> RestLoad.request(url).GET().build(),
                (i, response) -> response.statusCode() == 200 ? null : "HTTP " + response.statusCode(),
                Duration.ofSeconds(30));

        // Then the last request, due at 9 ms, cannot be answered before 10 x 20 ms: its latency includes the
        // 190 ms it waited for a slot (measured from its send it would be about 20 ms)
        assertThat(run.failures()).isEmpty();
        assertThat(run.latencies().count()).isEqualTo(n);
        assertThat(run.latencies().maxMs()).isGreaterThanOrEqualTo(n * SERVICE_MS - 9);
        // and the achieved throughput shows the server falling behind the offered rate
        assertThat(run.throughput()).isLessThanOrEqualTo(1_000.0 / SERVICE_MS);
    }
}
