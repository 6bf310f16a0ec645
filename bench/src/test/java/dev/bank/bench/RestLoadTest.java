package dev.bank.bench;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;

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
        http = new RestLoad(8);
        url = "http://127.0.0.1:" + server.getAddress().getPort();
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
        RestLoad.Run run = http.run("paced", url, 5, 5, 20, i -> Request.get("/slow"),
                (i, response) -> response.status() == 200 ? null : "HTTP " + response.status(),
                Duration.ofSeconds(30));

        assertThat(run.failures()).isEmpty();
        assertThat(run.rate()).isEqualTo(20);
        assertThat(run.elapsedNanos()).isGreaterThanOrEqualTo(Duration.ofMillis(200).toNanos());
    }

    @Test
    void openLoopCountsTheBacklogInTheLatencyFromEachRequestsDueTime() {
        // Given 10 requests offered at 1000/s but one slot and a server needing >= 20 ms each
        int n = 10;
        RestLoad.Run run = http.run("backlog", url, n, 1, 1_000, i -> Request.get("/slow"),
                (i, response) -> response.status() == 200 ? null : "HTTP " + response.status(),
                Duration.ofSeconds(30));

        // Then the last request, due at 9 ms, cannot be answered before 10 x 20 ms: its latency includes the
        // 190 ms it waited for a slot (measured from its send it would be about 20 ms)
        assertThat(run.failures()).isEmpty();
        assertThat(run.latencies().count()).isEqualTo(n);
        assertThat(run.latencies().maxMs()).isGreaterThanOrEqualTo(n * SERVICE_MS - 9);
        // and the achieved throughput shows the server falling behind the offered rate
        assertThat(run.throughput()).isLessThanOrEqualTo(1_000.0 / SERVICE_MS);
    }

    @Test
    void aClosedLoopChecksEveryAnswer() {
        RestLoad.Run run = http.run("closed", url, 40, 3, i -> Request.get("/slow"),
                (i, response) -> response.body().equals("ok") ? null : "body " + response.body(),
                Duration.ofSeconds(30));

        assertThat(run.failures()).isEmpty();
        assertThat(run.completed()).isEqualTo(40);
        assertThat(run.latencies().count()).isEqualTo(40);
    }

    @Test
    void wrongAnswersRefusedConnectsAndTimeoutsAreErrorsByKindAndNeverHangTheRun() throws Exception {
        // a wrong answer, and a check that throws
        RestLoad.Run wrong = http.run("wrong", url, 4, 2, i -> Request.get("/slow"),
                (i, response) -> i % 2 == 0 ? "not what I wanted" : String.valueOf(Integer.parseInt(response.body())),
                Duration.ofSeconds(30));
        assertThat(wrong.completed()).isEqualTo(4);
        assertThat(wrong.errors()).isEqualTo(4);
        assertThat(wrong.errorKinds()).isEqualTo(Map.of("HTTP 200", 4L));
        assertThat(wrong.examples()).isNotEmpty().anySatisfy(e -> assertThat(e).contains("NumberFormatException"));

        // nobody listening
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closedPort = s.getLocalPort();
        }
        RestLoad.Run refused = http.run("refused", "http://127.0.0.1:" + closedPort, 3, 3, i -> Request.get("/"),
                (i, response) -> null, Duration.ofSeconds(30));
        assertThat(refused.completed()).isEqualTo(3);
        assertThat(refused.errorKinds()).isEqualTo(Map.of("ConnectException", 3L));
        assertThat(refused.failures()).singleElement().asString().contains("3 requests failed", "ConnectException");

        // a server that takes the request and never answers, with a 300 ms request timeout
        try (RawServer silent = new RawServer((socket, k) -> {
            RawServer.readRequest(socket.getInputStream());
            socket.getInputStream().read(); // until the client gives up
        }); RestLoad impatient = new RestLoad(2, Duration.ofMillis(300))) {
            RestLoad.Run timedOut = impatient.run("silent", silent.url(), 2, 2, i -> Request.get("/"),
                    (i, response) -> null, Duration.ofSeconds(30));
            assertThat(timedOut.completed()).isEqualTo(2);
            assertThat(timedOut.errorKinds()).isEqualTo(Map.of("TimeoutException", 2L));
            assertThat(timedOut.latencies().maxMs()).isGreaterThanOrEqualTo(300).isLessThan(10_000);
        }
    }
}
