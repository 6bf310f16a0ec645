package dev.bank.bench;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.io.EOFException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.ServerSocket;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The client against real local servers: the JDK's own HTTP server for well-formed traffic, {@link RawServer}
 * where a test needs control of every byte. Every exchange is awaited with a bound, so a client that hangs fails.
 */
class HttpConnectionsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private HttpServer server;
    private ExecutorService serverThreads;
    private final Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
    private final AtomicReference<byte[]> received = new AtomicReference<>();
    private final Map<String, String> receivedHeaders = new ConcurrentHashMap<>();
    private HttpConnections client;
    private InetSocketAddress address;
    private BaseUrl base;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        server.createContext("/fixed", exchange -> {
            clientPorts.add(exchange.getRemoteAddress().getPort());
            byte[] body = "{\"balance\":\"1000.00\",\"owner\":\"Zo\u00eb\"}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.createContext("/chunked", exchange -> {
            exchange.sendResponseHeaders(200, 0); // length unknown: the JDK server sends it chunked
            OutputStream out = exchange.getResponseBody();
            for (int i = 0; i < 3; i++) {
                out.write(("part " + i + ";").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            exchange.close();
        });
        server.createContext("/empty", exchange -> {
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.createContext("/echo", exchange -> {
            received.set(exchange.getRequestBody().readAllBytes());
            exchange.getRequestHeaders()
                    .forEach((k, v) -> receivedHeaders.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
            byte[] answer = String.valueOf(received.get().length).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(201, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        serverThreads = Executors.newFixedThreadPool(8);
        server.setExecutor(serverThreads);
        server.start();
        address = new InetSocketAddress("127.0.0.1", server.getAddress().getPort());
        base = BaseUrl.parse("http://127.0.0.1:" + server.getAddress().getPort());
        client = new HttpConnections(TIMEOUT);
    }

    @AfterEach
    void stop() {
        client.close();
        server.stop(0);
        serverThreads.shutdownNow();
    }

    @Test
    void readsAContentLengthBodyAndKeepsTheConnectionForTheNextRequest() throws Exception {
        for (int i = 0; i < 3; i++) {
            Outcome o = send(address, Request.get("/fixed"));
            assertThat(o.error).isNull();
            assertThat(o.response.status()).isEqualTo(200);
            assertThat(o.response.header("content-type")).isEqualTo("application/json");
            assertThat(o.response.body()).isEqualTo("{\"balance\":\"1000.00\",\"owner\":\"Zo\u00eb\"}");
        }
        assertThat(client.opened()).isEqualTo(1);
        assertThat(clientPorts).hasSize(1);
    }

    @Test
    void readsAChunkedBodyAndAResponseWithoutBody() throws Exception {
        Outcome chunked = send(address, Request.get("/chunked"));
        assertThat(chunked.response.header("Transfer-Encoding")).isEqualToIgnoringCase("chunked");
        assertThat(chunked.response.body()).isEqualTo("part 0;part 1;part 2;");

        Outcome empty = send(address, Request.get("/empty"));
        assertThat(empty.response.status()).isEqualTo(204);
        assertThat(empty.response.body()).isEmpty();
        assertThat(client.opened()).isEqualTo(1);
    }

    @Test
    void aPostBodyArrivesIntactEvenWhenTheSocketCannotTakeItAtOnce() throws Exception {
        byte[] small = "{\"accountId\":\"a-1\",\"amount\":\"12.34\",\"type\":\"credit\"}"
                .getBytes(StandardCharsets.UTF_8);
        Outcome o = send(address, new Request("POST", "/echo",
                Map.of("Content-Type", "application/json", "Idempotency-Key", "tx-1"), small));
        assertThat(o.response.status()).isEqualTo(201);
        assertThat(received.get()).isEqualTo(small);
        assertThat(receivedHeaders).containsEntry("content-type", "application/json")
                .containsEntry("idempotency-key", "tx-1").containsEntry("content-length", String.valueOf(small.length));

        // 16 MiB: more than a loopback socket buffer, so the selector writes the rest
        byte[] big = new byte[16 << 20];
        new Random(42).nextBytes(big);
        Outcome large = send(address, Request.post("/echo", "application/octet-stream", big));
        assertThat(large.error).isNull();
        assertThat(large.response.body()).isEqualTo(String.valueOf(big.length));
        assertThat(received.get()).isEqualTo(big);
    }

    @Test
    void manyRequestsInFlightNeverOpenMoreConnectionsThanThat() throws Exception {
        int concurrency = 6;
        Semaphore slots = new Semaphore(concurrency);
        CountDownLatch done = new CountDownLatch(300);
        AtomicInteger good = new AtomicInteger();
        byte[] request = Request.get("/fixed").encode(base);
        for (int i = 0; i < 300; i++) {
            assertThat(slots.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
            client.send(address, request, true, (response, error) -> {
                if (error == null && response.status() == 200) good.incrementAndGet();
                slots.release();
                done.countDown();
            });
        }
        assertThat(done.await(20, TimeUnit.SECONDS)).isTrue();
        assertThat(good.get()).isEqualTo(300);
        assertThat(client.opened()).isBetween(1, concurrency);
        assertThat(clientPorts.size()).isBetween(1, concurrency);
    }

    @Test
    void aResponseDribbledOutByteByByteIsReadWhole() throws Exception {
        String body = "{\"status\":\"success\",\"note\":\"na\u00efve \u20ac\"}";
        byte[] bodyBytes = body.getBytes(StandardCharsets.UTF_8);
        try (RawServer slow = new RawServer((socket, k) -> {
            socket.setTcpNoDelay(true);
            while (RawServer.readRequest(socket.getInputStream()) != null) {
                byte[] head = ("HTTP/1.1 200 OK\r\nContent-Length: " + bodyBytes.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.UTF_8);
                OutputStream out = socket.getOutputStream();
                for (byte[] part : new byte[][]{head, bodyBytes}) {
                    for (byte b : part) {
                        out.write(b);
                        out.flush();
                        Thread.sleep(1); // separate segments, separate reads
                    }
                }
            }
        })) {
            for (int i = 0; i < 2; i++) {
                Outcome o = send(slow.address(), Request.get("/"));
                assertThat(o.error).isNull();
                assertThat(o.response.body()).isEqualTo(body);
            }
            assertThat(slow.accepted()).isEqualTo(1);
        }
    }

    @Test
    void aServerThatClosesAfterEachResponseGetsANewConnectionPerRequest() throws Exception {
        try (RawServer oneShot = new RawServer((socket, k) -> {
            RawServer.readRequest(socket.getInputStream());
            RawServer.write(socket, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 5\r\n\r\nhello");
        })) {
            for (int i = 0; i < 4; i++) {
                Outcome o = send(oneShot.address(), Request.post("/", "text/plain", new byte[]{'x'}));
                assertThat(o.error).isNull();
                assertThat(o.response.body()).isEqualTo("hello");
            }
            assertThat(oneShot.accepted()).isEqualTo(4);
            assertThat(client.opened()).isEqualTo(4);
            await().atMost(Duration.ofSeconds(5)).until(() -> client.openNow() == 0);
        }
    }

    @Test
    void anIdleConnectionTheServerClosesIsDroppedAndTheNextRequestOpensAnother() throws Exception {
        try (RawServer idleTimeout = new RawServer((socket, k) -> {
            RawServer.readRequest(socket.getInputStream());
            RawServer.write(socket, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"); // keep-alive, then gone
        })) {
            assertThat(send(idleTimeout.address(), Request.get("/")).response.body()).isEqualTo("ok");
            await().atMost(Duration.ofSeconds(5)).until(() -> client.openNow() == 0);

            // a POST is never resent, so this only works because the closed connection is no longer offered
            Outcome o = send(idleTimeout.address(), Request.post("/", "text/plain", new byte[]{'x'}));
            assertThat(o.error).isNull();
            assertThat(o.response.body()).isEqualTo("ok");
            assertThat(idleTimeout.accepted()).isEqualTo(2);
        }
    }

    @Test
    void aGetWhoseReusedConnectionClosesUnansweredIsSentOnceMoreOnANewOneButAPostIsNot() throws Exception {
        // the server answers the first request of a connection (after 100 ms, so that three sent at once need three
        // connections) and closes it on the second without a word, as one does when its idle timeout strikes just
        // as the request arrives, or when it keeps only so many idle connections (the JDK's server keeps 200)
        try (RawServer racy = new RawServer((socket, k) -> {
            RawServer.readRequest(socket.getInputStream());
            Thread.sleep(100);
            RawServer.write(socket, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            RawServer.readRequest(socket.getInputStream());
        })) {
            List<CompletableFuture<Outcome>> first = new ArrayList<>();
            for (int i = 0; i < 3; i++) first.add(sendAsync(client, racy.address(), Request.get("/")));
            for (CompletableFuture<Outcome> f : first) assertThat(f.get(20, TimeUnit.SECONDS).error).isNull();
            assertThat(racy.accepted()).isEqualTo(3);

            // every idle connection would fail it now: the resend must go to a new one
            Outcome get = send(racy.address(), Request.get("/"));
            assertThat(get.error).isNull();
            assertThat(get.response.body()).isEqualTo("ok");
            assertThat(racy.accepted()).isEqualTo(4);

            Outcome post = send(racy.address(), Request.post("/", "text/plain", new byte[]{'x'}));
            assertThat(post.response).isNull();
            assertThat(post.error).isInstanceOf(EOFException.class);
            assertThat(racy.accepted()).isEqualTo(4);
        }
    }

    @Test
    void aRefusedOrImpossibleConnectIsAnError() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closedPort = s.getLocalPort();
        }
        Outcome o = send(new InetSocketAddress("127.0.0.1", closedPort), Request.get("/"));
        assertThat(o.response).isNull();
        assertThat(o.error).isInstanceOf(ConnectException.class);

        Outcome unresolved = send(InetSocketAddress.createUnresolved("nowhere.invalid", 80), Request.get("/"));
        assertThat(unresolved.error).isInstanceOf(ConnectException.class).hasMessageContaining("nowhere.invalid");
        assertThat(client.openNow()).isZero();
    }

    @Test
    void noCompleteAnswerWithinTheTimeoutIsAnError() throws Exception {
        try (RawServer halfAnswer = new RawServer((socket, k) -> {
            RawServer.readRequest(socket.getInputStream());
            RawServer.write(socket, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"); // and then nothing
            socket.getInputStream().read();
        }); HttpConnections impatient = new HttpConnections(Duration.ofMillis(200))) {
            long start = System.nanoTime();
            Outcome o = send(impatient, halfAnswer.address(), Request.get("/"));
            assertThat(o.error).isInstanceOf(HttpTimeoutException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
            assertThat(impatient.openNow()).isZero();
        }
    }

    @Test
    void aResetAMalformedAnswerAndAnEarlyCloseAreErrors() throws Exception {
        try (RawServer reset = new RawServer((socket, k) -> {
            RawServer.readRequest(socket.getInputStream());
            socket.setSoLinger(true, 0); // close with a RST
        }); RawServer malformed = new RawServer((socket, k) -> {
            RawServer.readRequest(socket.getInputStream());
            RawServer.write(socket, "HTTP/1.1 OK\r\n\r\n");
            socket.getInputStream().read();
        }); RawServer early = new RawServer((socket, k) -> {
            RawServer.readRequest(socket.getInputStream());
            RawServer.write(socket, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
        })) {
            Outcome r = send(reset.address(), Request.get("/"));
            assertThat(r.response).isNull();
            assertThat(r.error).isInstanceOf(IOException.class);

            Outcome m = send(malformed.address(), Request.get("/"));
            assertThat(m.error).isInstanceOf(ProtocolException.class).hasMessageContaining("bad status line");

            Outcome e = send(early.address(), Request.get("/"));
            assertThat(e.error).isInstanceOf(EOFException.class).hasMessageContaining("middle of a response");
            await().atMost(Duration.ofSeconds(5)).until(() -> client.openNow() == 0);
        }
    }

    private record Outcome(Response response, IOException error) {
    }

    private Outcome send(InetSocketAddress to, Request request) throws Exception {
        return send(client, to, request);
    }

    private Outcome send(HttpConnections via, InetSocketAddress to, Request request) throws Exception {
        return sendAsync(via, to, request).get(20, TimeUnit.SECONDS);
    }

    private CompletableFuture<Outcome> sendAsync(HttpConnections via, InetSocketAddress to, Request request) {
        CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        via.send(to, request.encode(base), request.idempotent(),
                (response, error) -> outcome.complete(new Outcome(response, error)));
        return outcome;
    }
}
