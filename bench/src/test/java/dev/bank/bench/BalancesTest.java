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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The end-state check against a stand-in for the processor's query API: a wrong balance, or a hold left active,
 * fails the run.
 */
class BalancesTest {
    private final Map<String, Long> served = new ConcurrentHashMap<>();
    /** Extra fields of an account's JSON, e.g. its holds. */
    private final Map<String, String> extra = new ConcurrentHashMap<>();
    private HttpServer server;
    private RestLoad http;
    private Balances balances;

    @BeforeEach
    void startQueryApi() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        server.createContext("/internal/accounts/", exchange -> {
            String id = exchange.getRequestURI().getPath().substring("/internal/accounts/".length());
            Long balance = served.get(id);
            byte[] body = (balance == null ? "{\"status\":404}"
                    : "{\"accountId\":\"" + id + "\",\"balanceMinor\":" + balance + extra.getOrDefault(id, "") + "}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(balance == null ? 404 : 200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        http = new RestLoad(Balances.CONCURRENCY);
        balances = new Balances(http, "http://127.0.0.1:" + server.getAddress().getPort(),
                "test-service-token-0123456789");
    }

    @AfterEach
    void stop() {
        http.close();
        server.stop(0);
    }

    @Test
    void passesWhenEveryBalanceIsExactlyAsExpected() {
        served.putAll(Map.of("a", 100_012L, "b", 100_001L));
        assertThat(balances.verify(Map.of("a", 100_012L, "b", 100_001L), Duration.ofSeconds(10))).isEmpty();
    }

    @Test
    void failsOnAWrongOrMissingBalance() {
        served.putAll(Map.of("a", 100_011L));
        assertThat(balances.verify(Map.of("a", 100_012L, "b", 100_001L), Duration.ofSeconds(10)))
                .singleElement().asString()
                .contains("2 of 2 balances wrong", "a: expected 100012 minor units, was 100011", "b: HTTP 404");
    }

    @Test
    void failsWhenAHoldIsLeftActiveEvenWithTheRightBalance() {
        served.putAll(Map.of("a", 100_012L, "b", 100_001L, "c", 5L));
        extra.put("a", ",\"heldMinor\":7,\"activeHolds\":1");
        extra.put("b", ",\"heldMinor\":0,\"activeHolds\":0");
        assertThat(balances.verify(Map.of("a", 100_012L, "b", 100_001L, "c", 5L), Duration.ofSeconds(10)))
                .singleElement().asString()
                .contains("1 of 3 balances wrong", "a: 1 holds still active, 7 minor units held");
    }
}
