package dev.bank.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bank.observability.InternalApi;
import dev.bank.schemas.Json;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The end-state check: every account's balance, read from the processor's query API
 * ({@code GET /internal/accounts/{id}}, balance in minor units), must equal the workload's expected sum, and
 * nothing may be left on hold (every workload ends each hold it places).
 * A 503 (partitions moving) is asked again, a few times, a second apart.
 */
final class Balances {
    /** Reads in flight at once. */
    static final int CONCURRENCY = 32;
    private static final int ROUNDS = 5;

    private final RestLoad http;
    private final String processorUrl;
    private final String serviceToken;

    /** @param serviceToken the query API's credential ({@code BANK_SERVICE_TOKEN}) */
    Balances(RestLoad http, String processorUrl, String serviceToken) {
        this.http = http;
        this.processorUrl = processorUrl;
        this.serviceToken = serviceToken;
    }

    /** The failures, in words; empty when every balance is as expected. */
    List<String> verify(Map<String, Long> expected, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> pending = new ArrayList<>(expected.keySet());
        Map<String, String> wrong = new ConcurrentHashMap<>();
        for (int round = 0; round < ROUNDS && !pending.isEmpty() && System.nanoTime() < deadline; round++) {
            if (round > 0) pause();
            List<String> ids = List.copyOf(pending);
            Map<String, Boolean> settled = new ConcurrentHashMap<>();
            Duration left = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
            http.run("balances", processorUrl, ids.size(), CONCURRENCY,
                    i -> Request.get(InternalApi.Paths.account(ids.get(i)))
                            .with("Authorization", "Bearer " + serviceToken),
                    (i, response) -> {
                        String id = ids.get(i);
                        if (response.status() == 503) return "not ready"; // asked again next round
                        String problem = compare(id, expected.get(id), response.status(), response.body());
                        if (problem != null) wrong.put(id, problem);
                        settled.put(id, true);
                        return problem;
                    }, left);
            // what was neither right nor wrong (503, a failed exchange, no time left) is asked again
            pending = ids.stream().filter(id -> !settled.containsKey(id)).toList();
        }
        List<String> failures = new ArrayList<>();
        if (!pending.isEmpty()) failures.add(pending.size() + " balances could not be read (after "
                + ROUNDS + " tries)");
        if (!wrong.isEmpty()) failures.add(wrong.size() + " of " + expected.size() + " balances wrong, e.g. "
                + wrong.values().stream().limit(3).toList());
        return failures;
    }

    private static String compare(String id, long expected, int status, String body) {
        if (status != 200) return id + ": HTTP " + status;
        try {
            JsonNode account = Json.MAPPER.readTree(body);
            long actual = account.path("balanceMinor").asLong(Long.MIN_VALUE);
            if (actual != expected) return id + ": expected " + expected + " minor units, was " + actual;
            // a processor without holds says nothing of them, which is none held
            long held = account.path("heldMinor").asLong(0);
            int holds = account.path("activeHolds").asInt(0);
            return held == 0 && holds == 0 ? null
                    : id + ": " + holds + " holds still active, " + held + " minor units held";
        } catch (IOException e) {
            return id + ": unreadable account " + e.getMessage();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(1_000); // the query API's Retry-After
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
