package dev.bank.gateway.kafka;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.bank.observability.InternalApi.Viewer;
import dev.bank.schemas.Account;
import dev.bank.schemas.AccountStatus;
import dev.bank.schemas.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The gateway's reads against real HTTP servers standing in for processors: answers, 404, and failing over. */
class ProcessorClientTest {
    private static final String TOKEN = "test-service-token-0123456789";
    private static final Account ACCOUNT = new Account("acc-1", "EUR", AccountStatus.OPEN, 12_345, 3, 1_700_000_000_000L);

    private final List<HttpServer> servers = new ArrayList<>();
    private final List<ProcessorClient> clients = new ArrayList<>();
    private final List<ExecutorService> executors = new ArrayList<>();

    @AfterEach
    void stop() {
        clients.forEach(ProcessorClient::close);
        servers.forEach(s -> s.stop(0));
        executors.forEach(ExecutorService::shutdownNow);
    }

    @Test
    void readsTheAccountAndTheRequestedPath() throws Exception {
        List<String> paths = new ArrayList<>();
        String url = server((exchange, path) -> {
            paths.add(path);
            return answer(exchange, 200, Json.bytes(ACCOUNT));
        });
        assertThat(client(url).account("acc 1/x", Viewer.SERVICE).get(5, TimeUnit.SECONDS)).contains(ACCOUNT);
        assertThat(paths).containsExactly("/internal/accounts/acc%201%2Fx");
    }

    @Test
    void asksForReviewsOnTheViewersBehalfAndReadsThemBack() throws Exception {
        dev.bank.schemas.FraudReview review = new dev.bank.schemas.FraudReview("acc-1", "pay-1",
                dev.bank.schemas.Command.debit("pay-1", "acc-1", "2500"), 250_000, "EUR", 60,
                List.of(new dev.bank.schemas.FraudFinding(dev.bank.schemas.FraudRule.VELOCITY, 60, "nine in ten minutes",
                        java.util.Map.of("count", "9"))), dev.bank.schemas.ReviewStatus.PENDING, 1L, 2L, null, null, null);
        List<String> asked = new ArrayList<>();
        String url = server((exchange, path) -> {
            asked.add(path + "?" + exchange.getRequestURI().getRawQuery() + " "
                    + exchange.getRequestHeaders().getFirst("Bank-Principal") + " "
                    + exchange.getRequestHeaders().getFirst("Bank-Admin"));
            return answer(exchange, 200, path.endsWith("/pay-1") ? Json.bytes(review)
                    : Json.bytes(new dev.bank.schemas.FraudReviewList(List.of(review), true)));
        });
        Viewer admin = new Viewer("desk-1", true);
        java.util.Map<String, String> params = new java.util.LinkedHashMap<>();
        params.put("status", "PENDING");
        params.put("limit", "5");
        ProcessorClient client = client(url);

        assertThat(client.review("acc-1", "pay-1", admin).get(5, TimeUnit.SECONDS)).contains(review);
        assertThat(client.reviewQueue(params, admin).get(5, TimeUnit.SECONDS))
                .hasValueSatisfying(list -> assertThat(list.reviews()).containsExactly(review))
                .hasValueSatisfying(list -> assertThat(list.more()).isTrue());
        assertThat(client.reviews("acc-1", java.util.Map.of(), admin).get(5, TimeUnit.SECONDS)).isPresent();
        assertThat(asked).containsExactly("/internal/accounts/acc-1/reviews/pay-1?null desk-1 true",
                "/internal/reviews?status=PENDING&limit=5 desk-1 true", "/internal/accounts/acc-1/reviews?null desk-1 true");
    }

    @Test
    void notFoundIsEmptyAndNotAFailure() throws Exception {
        String url = server((exchange, path) -> answer(exchange, 404, "{}".getBytes(StandardCharsets.UTF_8)));
        assertThat(client(url).account("acc-1", Viewer.SERVICE).get(5, TimeUnit.SECONDS)).isEmpty();
    }

    @Test
    void failsOverToTheNextProcessorOnAnErrorStatusBadJsonOrNoConnection() throws Exception {
        String failing = server((exchange, path) -> answer(exchange, 503, "{}".getBytes(StandardCharsets.UTF_8)));
        String garbled = server((exchange, path) -> answer(exchange, 200, "{not json".getBytes(StandardCharsets.UTF_8)));
        String good = server((exchange, path) -> answer(exchange, 200, Json.bytes(ACCOUNT)));
        ProcessorClient client = client(failing, unreachable(), garbled, good);
        assertThat(client.account("acc-1", Viewer.SERVICE).get(10, TimeUnit.SECONDS)).contains(ACCOUNT);
    }

    @Test
    void noProcessorAnsweringIsUnavailableNamingTheLastProblem() {
        String failing = server((exchange, path) -> answer(exchange, 500, "{}".getBytes(StandardCharsets.UTF_8)));
        CompletableFuture<Optional<Account>> read = client(unreachable(), failing).account("acc-1", Viewer.SERVICE);
        assertThatThrownBy(() -> read.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(ProcessorClient.UnavailableException.class).hasMessageContaining("answered 500");
    }

    @Test
    void aProcessorThatDoesNotAnswerInTimeIsSkipped() throws Exception {
        String stuck = server((exchange, path) -> {
            sleep(3_000);
            return answer(exchange, 200, Json.bytes(ACCOUNT));
        });
        String good = server((exchange, path) -> answer(exchange, 200, Json.bytes(ACCOUNT)));
        long start = System.nanoTime();
        ProcessorClient client = new ProcessorClient(List.of(stuck, good), TOKEN, Duration.ofSeconds(1));
        clients.add(client);
        assertThat(client.account("acc-1", Viewer.SERVICE).get(10, TimeUnit.SECONDS)).contains(ACCOUNT);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void aBurstOfReadsBeyondTheConnectionPoolIsQueuedNotRefused() throws Exception {
        AtomicInteger served = new AtomicInteger();
        String slow = server((exchange, path) -> {
            sleep(2);
            served.incrementAndGet();
            return answer(exchange, 200, Json.bytes(ACCOUNT));
        });
        ProcessorClient client = client(slow);
        List<CompletableFuture<Optional<Account>>> reads = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) reads.add(client.account("acc-1", Viewer.SERVICE));
        CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        assertThat(reads).allSatisfy(r -> assertThat(r.join()).contains(ACCOUNT));
        assertThat(served).hasValue(3_000);
    }

    private interface Handler {
        byte[] handle(HttpExchange exchange, String rawPath) throws IOException;
    }

    /** A local HTTP server whose every request {@code handler} answers; returns its base URL. */
    private String server(Handler handler) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            ExecutorService executor = Executors.newFixedThreadPool(16);
            executors.add(executor);
            server.setExecutor(executor);
            server.createContext("/", exchange -> {
                try (exchange) {
                    byte[] body = handler.handle(exchange, exchange.getRequestURI().getRawPath());
                    exchange.getResponseBody().write(body);
                }
            });
            server.start();
            servers.add(server);
            return "http://127.0.0.1:" + server.getAddress().getPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] answer(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        return body;
    }

    /** A URL nothing listens on: a port that was free a moment ago. */
    private static String unreachable() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return "http://127.0.0.1:" + socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private ProcessorClient client(String... urls) {
        ProcessorClient client = new ProcessorClient(List.of(urls), TOKEN);
        clients.add(client);
        return client;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis); // the stand-in processor's service time, not a wait for a condition
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
