package dev.bank.it;

import dev.bank.schemas.Json;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many requests under one transactionId in flight at once, some repeating the first request and some asking for
 * something else: each must get the answer to its own command (an identical retry the first outcome, a different
 * request 409), never the other kind's.
 */
class ConcurrentAnswersIT {
    private static final int EACH = 200;

    @TempDir
    static Path stateDir;
    static BankSystem bank;
    static HttpClient client;
    static String base;
    static final String TOKEN = BankStack.customerToken();

    @BeforeAll
    static void start() throws Exception {
        bank = BankSystem.start(stateDir);
        client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        base = "http://127.0.0.1:" + bank.gateway().port();
        assertThat(bank.http().post("/accounts", "{\"accountId\":\"race\",\"currency\":\"EUR\",\"initialDeposit\":\"1000\"}")
                .status()).isEqualTo(201);
    }

    @AfterAll
    static void stop() throws Exception {
        bank.close();
    }

    private record Answer(String body, int status, JsonNode json, boolean replayed) {}

    private static CompletableFuture<Answer> post(String body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/transaction"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
            try {
                return new Answer(body, r.statusCode(), Json.MAPPER.readTree(r.body()),
                        r.headers().firstValue("Idempotent-Replayed").isPresent());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    private static List<Answer> concurrently(List<String> bodies) throws Exception {
        List<CompletableFuture<Answer>> answers = new ArrayList<>();
        for (String body : bodies) answers.add(post(body));
        CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        return answers.stream().map(CompletableFuture::join).toList();
    }

    private static String credit(String transactionId, String amount) {
        return "{\"accountId\":\"race\",\"type\":\"credit\",\"amount\":\"" + amount + "\",\"transactionId\":\""
                + transactionId + "\"}";
    }

    @Test
    void identicalRetriesGetTheFirstOutcomeAndConflictingRequestsA409WhileAllAreInFlight() throws Exception {
        // Given a credit that was applied
        String original = credit("race-1", "10");
        Answer first = post(original).get(60, TimeUnit.SECONDS);
        assertThat(first.status()).isEqualTo(200);
        // When 200 identical retries and 200 conflicting requests under its id are in flight at once
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < EACH; i++) {
            bodies.add(original);
            bodies.add(credit("race-1", "11"));
        }
        Collections.shuffle(bodies, new java.util.Random(7));
        List<Answer> answers = concurrently(bodies);
        // Then every retry got the first outcome, every conflicting request a 409
        for (Answer a : answers) {
            if (a.body().equals(original)) {
                assertThat(a.status()).as("identical retry").isEqualTo(200);
                assertThat(a.replayed()).isTrue();
                assertThat(a.json().get("amount").asText()).isEqualTo("10.00");
                assertThat(a.json().get("balance")).isEqualTo(first.json().get("balance"));
            } else {
                assertThat(a.status()).as("conflicting request").isEqualTo(409);
                assertThat(a.json().get("reason").asText()).isEqualTo("IDEMPOTENCY_CONFLICT");
            }
        }
    }

    @Test
    void whenTheFirstRequestIsAmongThemOneKindWinsAndEachRequestIsAnsweredForItsOwnKind() throws Exception {
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < EACH; i++) {
            bodies.add(credit("race-2", "1"));
            bodies.add(credit("race-2", "2"));
        }
        Collections.shuffle(bodies, new java.util.Random(11));
        List<Answer> answers = concurrently(bodies);
        List<Answer> applied = answers.stream().filter(a -> a.status() == 200 && !a.replayed()).toList();
        assertThat(applied).as("exactly one request was applied").hasSize(1);
        String winner = applied.get(0).body();
        for (Answer a : answers) {
            if (a.body().equals(winner)) {
                assertThat(a.status()).isEqualTo(200);
                assertThat(a.json().get("amount").asText()).isEqualTo(applied.get(0).json().get("amount").asText());
            } else {
                assertThat(a.status()).isEqualTo(409);
            }
        }
    }
}
