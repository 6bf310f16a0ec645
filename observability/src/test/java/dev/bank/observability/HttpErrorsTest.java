package dev.bank.observability;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bank.schemas.Json;
import dev.bank.schemas.Problem;
import io.javalin.Javalin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whoever raises an error, Jetty or Javalin, the client gets a problem document whose status is the HTTP status,
 * over real HTTP, including requests only a raw socket can send.
 */
class HttpErrorsTest {
    static Javalin app;
    static int port;

    @BeforeAll
    static void start() {
        app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            HttpListener.install(config, () -> new InetSocketAddress("127.0.0.1", 0));
            Observability.install(config, Observability.registry("test"), Map.of("always", () -> "down"));
            PathIds.install(config, (route, params) -> Problem.of(404, "Account not found", "no such account"));
            config.http.maxRequestSize = 1024;
            config.routes.get("/things/{accountId}", ctx -> ctx.result("ok " + ctx.pathParam("accountId")));
            config.routes.put("/things/{accountId}", ctx -> ctx.result("put " + ctx.bodyAsBytes().length));
            config.routes.get("/boom", ctx -> { throw new IllegalStateException("a bug"); });
            config.routes.get("/query", ctx -> ctx.result("q=" + ctx.queryParam("q")));
            config.routes.put("/slow/{accountId}", ctx -> {
                byte[] body = ctx.bodyAsBytes();
                ctx.future(() -> java.util.concurrent.CompletableFuture.runAsync(() -> ctx.result("late " + body.length),
                        java.util.concurrent.CompletableFuture.delayedExecutor(HttpListener.BODY_TIMEOUT_MILLIS + 2_000,
                                java.util.concurrent.TimeUnit.MILLISECONDS)));
            });
            config.routes.get("/slow", ctx -> ctx.future(() -> java.util.concurrent.CompletableFuture.runAsync(
                    () -> ctx.result("late"), java.util.concurrent.CompletableFuture.delayedExecutor(
                            HttpListener.BODY_TIMEOUT_MILLIS + 2_000, java.util.concurrent.TimeUnit.MILLISECONDS))));
        }).start();
        port = app.port();
    }

    @AfterAll
    static void stop() {
        app.stop();
    }

    private static JsonNode problem(RawHttp.Answer a, int status) throws Exception {
        assertThat(a.status()).as(a.toString()).isEqualTo(status);
        assertThat(a.header("Content-Type")).as(a.toString()).startsWith(Problem.CONTENT_TYPE);
        JsonNode body = Json.MAPPER.readTree(a.body());
        assertThat(body.get("status").asInt()).isEqualTo(status);
        return body;
    }

    private static RawHttp.Answer get(String target) throws Exception {
        return RawHttp.send(port, "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", null);
    }

    @Test
    void anErrorAServiceAnsweredKeepsItsBody() throws Exception {
        var a = get("/health/ready");
        assertThat(a.status()).isEqualTo(503);
        assertThat(a.header("Content-Type")).startsWith("application/json");
        assertThat(a.body()).contains("\"checks\"");
    }

    @Test
    void anUnknownRouteIsA404Problem() throws Exception {
        problem(get("/nothing/here"), 404);
    }

    @Test
    void aWrongMethodIsA405ProblemWithAllow() throws Exception {
        var a = RawHttp.send(port, "DELETE /things/a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", null);
        problem(a, 405);
        assertThat(a.header("Allow")).isEqualTo("GET, PUT, HEAD");
    }

    @Test
    void aBugIsA500ProblemThatSaysNothingOfIt() throws Exception {
        JsonNode body = problem(get("/boom"), 500);
        assertThat(body.toString()).doesNotContain("a bug");
    }

    @Test
    void aBodyAboveTheLimitIsA413Problem() throws Exception {
        byte[] body = new byte[4096];
        var a = RawHttp.send(port, "PUT /things/a HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n", body);
        problem(a, 413);
    }

    @Test
    void badPathsAreProblemsNotHtml() throws Exception {
        for (String target : new String[] {"/things/%00", "/things/%FF", "/things/%C3%28", "/things/%", "/things/%zz",
                "/things/a%2Fb", "/things/..%2F..", "/%2e%2e/x", "/things/a\u0001b", "/things/" + "a".repeat(70)}) {
            var a = get(target);
            assertThat(a.status()).as(target + " " + a).isBetween(400, 499);
            problem(a, a.status());
        }
        var invalidUtf8 = RawHttp.send(port, concat("GET /things/".getBytes(StandardCharsets.ISO_8859_1),
                new byte[] {(byte) 0xff, (byte) 0xfe}, " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(
                        StandardCharsets.ISO_8859_1)), null);
        problem(invalidUtf8, invalidUtf8.status());
    }

    @Test
    void anInvalidIdIsTheRoutesNotFound() throws Exception {
        JsonNode body = problem(get("/things/" + "a".repeat(65)), 404);
        assertThat(body.get("title").asText()).isEqualTo("Account not found");
        assertThat(get("/things/abc").body()).isEqualTo("ok abc");
    }

    @Test
    void aBrokenQueryStringIsReadLenientlyOrRefusedAsAProblem() throws Exception {
        for (String target : new String[] {"/query?q=%FF", "/query?q=%", "/query?q=%00", "/query?%zz=1&&=&q"}) {
            var a = get(target);
            assertThat(a.status()).as(target).isLessThan(500);
            if (a.status() >= 400) problem(a, a.status());
        }
    }

    @Test
    void overlongRequestLinesAndHeadersAreProblems() throws Exception {
        var longLine = get("/things/" + "a".repeat(20_000));
        assertThat(longLine.status()).isIn(414, 431, 400);
        problem(longLine, longLine.status());
        var longHeader = RawHttp.send(port, "GET /things/a HTTP/1.1\r\nHost: x\r\nX-Junk: " + "j".repeat(20_000)
                + "\r\nConnection: close\r\n\r\n", null);
        problem(longHeader, 431);
    }

    @Test
    void controlCharactersInHeadersAreProblems() throws Exception {
        var a = RawHttp.send(port, "GET /things/a HTTP/1.1\r\nHost: x\r\nX-Junk: a\u0001b\u0000c\r\nConnection: close\r\n\r\n", null);
        if (a.status() >= 400) problem(a, a.status());
        var garbage = RawHttp.send(port, "\u0000\u0001 nonsense\r\n\r\n", null);
        problem(garbage, garbage.status());
    }

    @Test
    void aBodyThatNeverArrivesIsA408SoonNotAThreadHeldForever() throws Exception {
        long started = System.nanoTime();
        var a = RawHttp.send(port, "PUT /things/a HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 10\r\n\r\n",
                "12345".getBytes(StandardCharsets.UTF_8));
        long millis = (System.nanoTime() - started) / 1_000_000;
        problem(a, 408);
        assertThat(millis).isLessThan(HttpListener.BODY_TIMEOUT_MILLIS + 2_000);
    }

    @Test
    void clientsThatStallTheirBodiesHoldNoThread() throws Exception {
        java.util.List<java.net.Socket> stalled = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 4 * HttpListener.MAX_THREADS; i++) {
                java.net.Socket socket = new java.net.Socket("127.0.0.1", port);
                socket.getOutputStream().write("PUT /things/a HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"
                        .getBytes(StandardCharsets.UTF_8));
                stalled.add(socket);
            }
            long started = System.nanoTime();
            var a = RawHttp.send(port, "PUT /things/a HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 5\r\n\r\n",
                    "12345".getBytes(StandardCharsets.UTF_8));
            assertThat(a.body()).isEqualTo("put 5");
            // held threads would make it wait for the stalled bodies' 3 s timeouts; the margin is for a busy machine
            assertThat((System.nanoTime() - started) / 1_000_000)
                    .isLessThan(HttpListener.BODY_TIMEOUT_MILLIS - 500);
        } finally {
            for (java.net.Socket socket : stalled) socket.close();
        }
    }

    @Test
    void anIdleKeptAliveConnectionOutlivesTheIoTimeout() throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            for (int i = 0; i < 2; i++) {
                socket.getOutputStream().write("GET /things/a HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.UTF_8));
                assertThat(in.readLine()).startsWith("HTTP/1.1 200");
                for (String line = in.readLine(); !line.isEmpty(); line = in.readLine()) { /* headers */ }
                char[] body = new char[4];
                assertThat(in.read(body)).isEqualTo(4);
                Thread.sleep(HttpListener.BODY_TIMEOUT_MILLIS + 1_000); // idle between requests, as a pool is
            }
        }
    }

    @Test
    void anAnswerToARequestWithABodyThatTakesLongerThanTheIoTimeoutStillArrives() throws Exception {
        // on a kept-alive connection, as every client pool sends them
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(15_000);
            socket.getOutputStream().write("PUT /slow/a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n"
                    .getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            Thread.sleep(200); // the body in a segment of its own, as HTTP clients often send it
            socket.getOutputStream().write("12345".getBytes(StandardCharsets.UTF_8));
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            assertThat(in.readLine()).startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void anAnswerThatTakesLongerThanTheIoTimeoutStillArrives() throws Exception {
        var a = get("/slow");
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.body()).isEqualTo("late");
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) n += p.length;
        byte[] all = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }
}
