package dev.bank.it;

import dev.bank.gateway.auth.Scope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenAPI document against the real system (a broker, the processor, the gateway): requests for every documented
 * operation, answered with success and with each kind of error, and every answer checked against the document by a
 * schema validator ({@link OpenApiContract}): its status and content type are documented for the operation and its
 * body fits the documented schema. A response the document does not describe fails the test, so the description
 * cannot drift from what the gateway answers.
 */
class ApiContractIT {
    @TempDir
    static Path stateDir;
    static BankSystem bank;
    static final OpenApiContract CONTRACT = new OpenApiContract();
    static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final String ALICE = BankStack.token("contract-alice", Scope.READ, Scope.WRITE);
    static final String MALLORY = BankStack.token("contract-mallory", Scope.READ, Scope.WRITE);
    static final String READ_ONLY = BankStack.token("contract-alice", Scope.READ);
    static final String ADMIN = BankStack.token("contract-admin", Scope.READ, Scope.WRITE, Scope.ADMIN);

    record Answer(int status, String contentType, String body) {}

    @BeforeAll
    static void start() throws Exception {
        // webhooks may target a closed port on loopback only: nothing leaves the machine
        bank = BankSystem.start(stateDir, java.util.Map.of("BANK_WEBHOOK_ALLOWED_HOSTS", "127.0.0.1"), 1);
    }

    @AfterAll
    static void stop() throws Exception {
        if (bank != null) bank.close();
    }

    private final List<String> violations = new ArrayList<>();

    private Answer call(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + bank.gateway().port() + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (body != null) request.header("Content-Type", "application/json");
        if (token != null) request.header("Authorization", "Bearer " + token);
        HttpResponse<String> r = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
        Answer answer = new Answer(r.statusCode(), r.headers().firstValue("Content-Type").orElse(null), r.body());
        violations.addAll(CONTRACT.violations(method, path, answer.status(), answer.contentType(), answer.body()));
        return answer;
    }

    /**
     * A live event stream, checked as documented by its status and content type once its first event is in (the
     * stream itself does not end; its events' JSON is checked by LiveEventsIT).
     */
    private void streamed(String path, String token) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + bank.gateway().port() + path))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token).GET().build();
        HttpResponse<java.util.stream.Stream<String>> r = CLIENT.send(request, HttpResponse.BodyHandlers.ofLines());
        String contentType = r.headers().firstValue("Content-Type").orElse(null);
        try (var lines = r.body()) {
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            assertThat(lines.anyMatch(line -> line.startsWith("data: {"))).as("an event on " + path).isTrue();
        }
        violations.addAll(CONTRACT.violations("GET", path, r.statusCode(), contentType, ""));
    }

    private void expect(int status, String method, String path, String token, String body) throws Exception {
        Answer answer = call(method, path, token, body);
        assertThat(answer.status()).as(method + " " + path + " " + body + " -> " + answer.body()).isEqualTo(status);
    }

    /** A credit or debit of {@code amount} (a decimal string) on {@code accountId}, answered with {@code status}. */
    private void transaction(int status, String token, String accountId, String amount, String type, String id)
            throws Exception {
        expect(status, "POST", "/transaction", token, "{\"accountId\":\"" + accountId + "\",\"amount\":\"" + amount
                + "\",\"type\":\"" + type + "\",\"transactionId\":\"" + id + "\"}");
    }

    @Test
    void everyOperationAnswersAsDocumentedInSuccessAndInError() throws Exception {
        // accounts: opened, opened again (a replay), conflicting, invalid, not authenticated, not authorized
        String open = "{\"accountId\":\"c-alice\",\"currency\":\"EUR\",\"transactionId\":\"c-open-alice\"}";
        expect(201, "POST", "/accounts", ALICE, open);
        call("POST", "/accounts", ALICE, open);
        expect(409, "POST", "/accounts", ALICE, "{\"accountId\":\"c-alice\",\"currency\":\"USD\",\"transactionId\":\"c-open-alice\"}");
        expect(400, "POST", "/accounts", ALICE, "{\"accountId\":\"c alice\",\"currency\":\"EURO\"}");
        expect(400, "POST", "/accounts", ALICE, "{\"accountId\":\"c-x\",\"accountId\":\"c-y\",\"currency\":\"EUR\"}");
        expect(401, "POST", "/accounts", null, open);
        expect(401, "POST", "/accounts", "not-a-token", open);
        expect(403, "POST", "/accounts", READ_ONLY, open);
        expect(403, "POST", "/accounts", ALICE, "{\"accountId\":\"c-other\",\"currency\":\"EUR\",\"owner\":\"someone\"}");
        expect(413, "POST", "/accounts", ALICE, "{\"reference\":\"" + "x".repeat(70_000) + "\"}");
        expect(201, "POST", "/accounts", ADMIN,
                "{\"accountId\":\"c-bob\",\"currency\":\"EUR\",\"owner\":\"contract-bob\",\"transactionId\":\"c-open-bob\"}");

        // credits and debits: applied, replayed, refused, invalid, on an account one does not own
        transaction(200, ALICE, "c-alice", "1000", "credit", "c-tx-1");
        expect(200, "POST", "/transaction", ALICE, // an amount may also be a JSON number
                "{\"accountId\":\"c-alice\",\"amount\":5.25,\"type\":\"credit\",\"transactionId\":\"c-tx-1b\"}");
        transaction(200, ALICE, "c-alice", "200.50", "debit", "c-tx-2");
        transaction(200, ALICE, "c-alice", "200.50", "debit", "c-tx-2");
        transaction(409, ALICE, "c-alice", "1", "debit", "c-tx-2");
        transaction(422, ALICE, "c-alice", "90000", "debit", "c-tx-3");
        transaction(400, ALICE, "c-alice", "1.001", "debit", "c-tx-4");
        expect(400, "POST", "/transaction", ALICE, "{\"accountId\":\"c-alice\",\"amount\":1,\"type\":\"steal\"}");
        expect(400, "POST", "/transaction", ALICE, "[1,2]");
        transaction(404, MALLORY, "c-alice", "1", "debit", "c-tx-5");
        transaction(404, ALICE, "c-nobody", "1", "credit", "c-tx-6");

        // reads
        expect(200, "GET", "/balance/c-alice", ALICE, null);
        expect(404, "GET", "/balance/c-alice", MALLORY, null);
        expect(404, "GET", "/balance/c-nobody", ALICE, null);
        expect(404, "GET", "/balance/" + "x".repeat(65), ALICE, null);
        expect(401, "GET", "/balance/c-alice", null, null);
        expect(200, "GET", "/accounts/c-alice", ALICE, null);
        expect(404, "GET", "/accounts/c-bob", ALICE, null);
        expect(200, "GET", "/accounts/c-alice/transactions/c-tx-1", ALICE, null);
        call("GET", "/accounts/c-alice/transactions/c-tx-3", ALICE, null); // the refused debit's answer, again
        expect(404, "GET", "/accounts/c-alice/transactions/c-never", ALICE, null);

        // transfers: completed, refunded, refused, invalid, from an account one does not own
        expect(200, "POST", "/transfers", ALICE,
                "{\"fromAccountId\":\"c-alice\",\"toAccountId\":\"c-bob\",\"amount\":\"150.00\",\"transactionId\":\"c-tr-1\",\"reference\":\"rent\"}");
        call("POST", "/transfers", ALICE,
                "{\"fromAccountId\":\"c-alice\",\"toAccountId\":\"c-nobody\",\"amount\":\"10.00\",\"transactionId\":\"c-tr-2\"}");
        expect(422, "POST", "/transfers", ALICE,
                "{\"fromAccountId\":\"c-alice\",\"toAccountId\":\"c-bob\",\"amount\":\"90000\",\"transactionId\":\"c-tr-3\"}");
        expect(400, "POST", "/transfers", ALICE, "{\"fromAccountId\":\"c-alice\",\"toAccountId\":\"c-alice\",\"amount\":\"1\"}");
        expect(404, "POST", "/transfers", MALLORY,
                "{\"fromAccountId\":\"c-alice\",\"toAccountId\":\"c-bob\",\"amount\":\"1\",\"transactionId\":\"c-tr-4\"}");
        expect(200, "GET", "/accounts/c-alice/transfers/c-tr-1", ALICE, null);
        expect(200, "GET", "/accounts/c-bob/transfers/c-tr-1", ADMIN, null);
        call("GET", "/accounts/c-alice/transfers/c-tr-2", ALICE, null);
        expect(404, "GET", "/accounts/c-alice/transfers/c-tr-never", ALICE, null);

        // interest rates: admin only
        expect(200, "PUT", "/accounts/c-alice/interest-rate", ADMIN, "{\"interestRate\":\"0.025\",\"transactionId\":\"c-rate-1\"}");
        expect(403, "PUT", "/accounts/c-alice/interest-rate", ALICE, "{\"interestRate\":\"0.025\",\"transactionId\":\"c-rate-2\"}");
        expect(400, "PUT", "/accounts/c-alice/interest-rate", ADMIN, "{\"interestRate\":\"2.5%\"}");

        // money controls: limits and freeze (admin), close (owner or admin)
        expect(200, "PUT", "/accounts/c-alice/limits", ADMIN,
                "{\"overdraftLimit\":\"100.00\",\"dailyOutflowLimit\":500,\"debitInterestRate\":\"0.12\",\"transactionId\":\"c-lim-1\"}");
        expect(403, "PUT", "/accounts/c-alice/limits", ALICE, "{\"overdraftLimit\":\"100000\"}");
        expect(400, "PUT", "/accounts/c-alice/limits", ADMIN, "{\"overdraftLimit\":\"-1\"}");
        expect(404, "PUT", "/accounts/c-nobody/limits", ADMIN, "{\"overdraftLimit\":\"1\",\"transactionId\":\"c-lim-2\"}");
        transaction(422, ALICE, "c-alice", "600", "debit", "c-tx-limit"); // over the daily outflow limit
        expect(200, "POST", "/accounts/c-alice/freeze", ADMIN, null);
        expect(403, "POST", "/accounts/c-alice/freeze", ALICE, null);
        transaction(422, ALICE, "c-alice", "1", "debit", "c-tx-frozen");
        expect(200, "POST", "/accounts/c-alice/unfreeze", ADMIN, "{\"transactionId\":\"c-unfreeze-1\"}");
        expect(400, "POST", "/accounts/c-alice/unfreeze", ADMIN, "{\"transactionId\":\"no spaces\"}");
        expect(200, "GET", "/accounts/c-alice/transactions/c-unfreeze-1", ALICE, null);
        expect(409, "POST", "/accounts/c-alice/close", ALICE, "{\"transactionId\":\"c-close-1\"}"); // not empty
        expect(404, "POST", "/accounts/c-alice/close", MALLORY, "{\"transactionId\":\"c-close-2\"}");
        expect(201, "POST", "/accounts", ALICE, "{\"accountId\":\"c-empty\",\"currency\":\"EUR\",\"transactionId\":\"c-open-empty\"}");
        expect(200, "POST", "/accounts/c-empty/close", ALICE, null);
        transaction(422, ALICE, "c-empty", "1", "credit", "c-tx-closed");
        expect(200, "GET", "/balance/c-empty", ALICE, null);

        // holds: placed, listed, read, captured in part and in full, voided, refused
        expect(201, "POST", "/accounts/c-alice/holds", ALICE,
                "{\"amount\":\"50.00\",\"holdId\":\"c-hold-1\",\"reference\":\"hotel\",\"expiresAt\":\"2099-01-01T00:00:00Z\"}");
        expect(201, "POST", "/accounts/c-alice/holds", ALICE, "{\"amount\":5,\"holdId\":\"c-hold-2\"}");
        expect(422, "POST", "/accounts/c-alice/holds", ALICE, "{\"amount\":\"90000\",\"holdId\":\"c-hold-3\"}");
        expect(400, "POST", "/accounts/c-alice/holds", ALICE, "{\"amount\":\"1\",\"expiresAt\":\"tomorrow\"}");
        expect(404, "POST", "/accounts/c-alice/holds", MALLORY, "{\"amount\":\"1\",\"holdId\":\"c-hold-4\"}");
        expect(200, "GET", "/accounts/c-alice/holds", ALICE, null);
        expect(404, "GET", "/accounts/c-alice/holds", MALLORY, null);
        expect(200, "GET", "/accounts/c-alice/holds/c-hold-1", ALICE, null);
        expect(404, "GET", "/accounts/c-alice/holds/c-hold-none", ALICE, null);
        expect(200, "POST", "/accounts/c-alice/holds/c-hold-1/capture", ALICE, "{\"amount\":\"20.00\",\"transactionId\":\"c-cap-1\"}");
        expect(422, "POST", "/accounts/c-alice/holds/c-hold-1/capture", ALICE, "{\"amount\":\"30.01\",\"transactionId\":\"c-cap-2\"}");
        expect(200, "POST", "/accounts/c-alice/holds/c-hold-1/capture", ALICE, null);
        expect(409, "POST", "/accounts/c-alice/holds/c-hold-1/capture", ALICE, "{\"transactionId\":\"c-cap-3\"}");
        expect(404, "POST", "/accounts/c-alice/holds/c-hold-none/capture", ALICE, "{\"transactionId\":\"c-cap-4\"}");
        expect(200, "POST", "/accounts/c-alice/holds/c-hold-2/void", ALICE, null);
        expect(409, "POST", "/accounts/c-alice/holds/c-hold-2/void", ALICE, "{\"transactionId\":\"c-void-2\"}");
        expect(200, "GET", "/accounts/c-alice/transactions/c-cap-1", ALICE, null);

        // exchange rates, quotes and a transfer between currencies
        expect(201, "POST", "/fx/rates", ADMIN,
                "{\"base\":\"EUR\",\"quote\":\"USD\",\"rate\":\"1.0832\",\"validFor\":\"PT1H\",\"rateId\":\"c-rate-1\"}");
        expect(409, "POST", "/fx/rates", ADMIN,
                "{\"base\":\"EUR\",\"quote\":\"USD\",\"rate\":\"1.2\",\"validFor\":\"PT1H\",\"rateId\":\"c-rate-1\"}");
        expect(400, "POST", "/fx/rates", ADMIN, "{\"base\":\"EUR\",\"quote\":\"USD\",\"rate\":\"-1\"}");
        expect(403, "POST", "/fx/rates", ALICE,
                "{\"base\":\"EUR\",\"quote\":\"USD\",\"rate\":\"1.2\",\"validFor\":\"PT1H\"}");
        expect(200, "GET", "/fx/rates", ALICE, null);
        expect(200, "POST", "/fx/quotes", ALICE, "{\"from\":\"EUR\",\"to\":\"USD\",\"amount\":\"10.00\"}");
        expect(200, "POST", "/fx/quotes", ALICE, "{\"from\":\"EUR\",\"to\":\"USD\"}");
        expect(422, "POST", "/fx/quotes", ALICE, "{\"from\":\"USD\",\"to\":\"JPY\"}");
        expect(400, "POST", "/fx/quotes", ALICE, "{\"from\":\"EUR\",\"to\":\"EUR\"}");
        expect(201, "POST", "/accounts", ALICE, "{\"accountId\":\"c-usd\",\"currency\":\"USD\",\"transactionId\":\"c-open-usd\"}");
        expect(200, "POST", "/transfers", ALICE, "{\"fromAccountId\":\"c-alice\",\"toAccountId\":\"c-usd\","
                + "\"amount\":\"10.00\",\"quoteId\":\"c-rate-1\",\"transactionId\":\"c-fx-1\"}");
        expect(422, "POST", "/transfers", ALICE, "{\"fromAccountId\":\"c-alice\",\"toAccountId\":\"c-usd\","
                + "\"amount\":\"10.00\",\"quoteId\":\"c-rate-none\"}");
        expect(400, "POST", "/transfers", ALICE, "{\"fromAccountId\":\"c-alice\",\"toAccountId\":\"c-usd\","
                + "\"amount\":\"10.00\",\"quoteId\":7}");
        expect(200, "GET", "/accounts/c-usd/transfers/c-fx-1", ALICE, null);
        expect(200, "GET", "/accounts/c-usd/transactions", ALICE, null);

        // fraud: an account's own thresholds (admin), payments held for review and decided, the queue, a decline
        expect(200, "PUT", "/accounts/c-alice/fraud-rules", ADMIN,
                "{\"dailyOutflowCap\":\"0.01\",\"transactionId\":\"c-rules-1\"}");
        expect(403, "PUT", "/accounts/c-alice/fraud-rules", ALICE, "{\"enabled\":false}");
        expect(400, "PUT", "/accounts/c-alice/fraud-rules", ADMIN, "{\"velocityMaxCount\":0,\"unknown\":1}");
        expect(404, "PUT", "/accounts/c-nobody/fraud-rules", ADMIN, "{\"transactionId\":\"c-rules-2\"}");
        transaction(202, ALICE, "c-alice", "1.00", "debit", "c-rev-1"); // above the account's cap: held
        expect(202, "GET", "/accounts/c-alice/transactions/c-rev-1", ALICE, null);
        expect(202, "POST", "/transfers", ALICE,
                "{\"fromAccountId\":\"c-alice\",\"toAccountId\":\"c-bob\",\"amount\":\"2.00\",\"transactionId\":\"c-rev-2\"}");
        expect(200, "GET", "/reviews", ADMIN, null);
        expect(200, "GET", "/reviews?status=pending&limit=5", ADMIN, null);
        expect(400, "GET", "/reviews?limit=0", ADMIN, null);
        expect(403, "GET", "/reviews", ALICE, null);
        expect(401, "GET", "/reviews", null, null);
        expect(200, "GET", "/accounts/c-alice/reviews", ADMIN, null);
        expect(404, "GET", "/accounts/c-nobody/reviews", ADMIN, null);
        expect(200, "GET", "/accounts/c-alice/reviews/c-rev-1", ADMIN, null);
        expect(404, "GET", "/accounts/c-alice/reviews/c-rev-none", ADMIN, null);
        expect(403, "GET", "/accounts/c-alice/reviews/c-rev-1", ALICE, null);
        expect(403, "POST", "/accounts/c-alice/reviews/c-rev-1/approve", ALICE, null);
        expect(200, "POST", "/accounts/c-alice/reviews/c-rev-1/approve", ADMIN, "{\"transactionId\":\"c-approve-1\"}");
        expect(409, "POST", "/accounts/c-alice/reviews/c-rev-1/reject", ADMIN, null);
        expect(404, "POST", "/accounts/c-alice/reviews/c-rev-none/approve", ADMIN, null);
        expect(400, "POST", "/accounts/c-alice/reviews/c-rev-2/reject", ADMIN, "{\"transactionId\":\"no spaces\"}");
        expect(200, "POST", "/accounts/c-alice/reviews/c-rev-2/reject", ADMIN, "{\"transactionId\":\"c-reject-2\"}");
        expect(200, "GET", "/accounts/c-alice/transactions/c-rev-1", ALICE, null); // approved: the debit's result
        expect(422, "GET", "/accounts/c-alice/transactions/c-rev-2", ALICE, null); // rejected: FRAUD_SUSPECTED
        expect(200, "GET", "/accounts/c-alice/transactions/c-reject-2", ADMIN, null); // the decision's own outcome
        expect(201, "POST", "/accounts", ALICE, "{\"accountId\":\"c-payee\",\"currency\":\"EUR\",\"transactionId\":\"c-open-payee\"}");
        expect(200, "PUT", "/accounts/c-alice/fraud-rules", ADMIN,
                "{\"dailyOutflowCap\":\"0.01\",\"newPayeeAmount\":\"0.01\",\"transactionId\":\"c-rules-3\"}");
        expect(422, "POST", "/transfers", ALICE, // two rules at once: declined
                "{\"fromAccountId\":\"c-alice\",\"toAccountId\":\"c-payee\",\"amount\":\"1.00\",\"transactionId\":\"c-decline\"}");
        expect(200, "PUT", "/accounts/c-alice/fraud-rules", ADMIN, "{\"transactionId\":\"c-rules-4\"}");

        // history and statements
        expect(200, "GET", "/accounts/c-alice/transactions", ALICE, null);
        expect(200, "GET", "/accounts/c-alice/transactions?limit=1", ALICE, null);
        expect(400, "GET", "/accounts/c-alice/transactions?limit=0", ALICE, null);
        expect(400, "GET", "/accounts/c-alice/transactions?from=yesterday", ALICE, null);
        expect(404, "GET", "/accounts/c-bob/transactions", ALICE, null);
        String month = java.time.YearMonth.now(java.time.ZoneOffset.UTC).toString();
        expect(200, "GET", "/accounts/c-alice/statements/" + month, ALICE, null);
        expect(200, "GET", "/accounts/c-alice/statements/" + month + "?format=csv", ALICE, null);
        expect(200, "GET", "/accounts/c-alice/statements/" + month + "?format=pdf", ALICE, null);
        expect(400, "GET", "/accounts/c-alice/statements/2025-13", ALICE, null);
        expect(404, "GET", "/accounts/c-bob/statements/" + month, ALICE, null);

        // the account's events as they happen: a stream, and the answers that refuse one
        streamed("/accounts/c-alice/events?after=0", ALICE);
        expect(400, "GET", "/accounts/c-alice/events?after=-1", ALICE, null);
        expect(404, "GET", "/accounts/c-bob/events", ALICE, null);
        expect(401, "GET", "/accounts/c-alice/events", null, null);
        expect(403, "GET", "/accounts/c-alice/events", BankStack.token("contract-alice"), null);

        // webhooks: subscribe, list, read, replay, delete; refused targets and bodies, another's subscription, no scope
        Answer subscribed = call("POST", "/webhooks", ALICE, "{\"url\":\"http://127.0.0.1:9/contract\","
                + "\"eventTypes\":[\"posting.created\",\"statement.ready\"],\"accountIds\":[\"c-alice\"],"
                + "\"description\":\"contract\"}");
        assertThat(subscribed.status()).as(subscribed.body()).isEqualTo(201);
        String webhook = dev.bank.schemas.Json.MAPPER.readTree(subscribed.body()).get("id").asText();
        expect(201, "POST", "/webhooks", ALICE, "{\"url\":\"http://127.0.0.1:9/contract-2\","
                + "\"secret\":\"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\"}");
        expect(400, "POST", "/webhooks", ALICE, "{\"url\":\"https://10.1.2.3/hook\"}");
        expect(400, "POST", "/webhooks", ALICE, "{\"url\":\"http://127.0.0.1:9/x\",\"eventTypes\":[\"nope\"]}");
        expect(401, "POST", "/webhooks", null, "{\"url\":\"http://127.0.0.1:9/x\"}");
        expect(403, "POST", "/webhooks", READ_ONLY, "{\"url\":\"http://127.0.0.1:9/x\"}");
        expect(200, "GET", "/webhooks", ALICE, null);
        expect(200, "GET", "/webhooks?owner=contract-alice&limit=1", ADMIN, null);
        expect(400, "GET", "/webhooks?limit=0", ALICE, null);
        expect(200, "GET", "/webhooks/" + webhook, ALICE, null);
        expect(404, "GET", "/webhooks/" + webhook, MALLORY, null);
        expect(404, "GET", "/webhooks/wh_none", ALICE, null);
        expect(202, "POST", "/webhooks/" + webhook + "/replay", ALICE, "{\"since\":\"2026-01-01T00:00:00Z\"}");
        expect(202, "POST", "/webhooks/" + webhook + "/replay", ALICE, null);
        expect(400, "POST", "/webhooks/" + webhook + "/replay", ALICE, "{\"since\":\"soon\"}");
        expect(404, "POST", "/webhooks/" + webhook + "/replay", MALLORY, null);
        expect(403, "DELETE", "/webhooks/" + webhook, READ_ONLY, null);
        expect(404, "DELETE", "/webhooks/" + webhook, MALLORY, null);
        expect(204, "DELETE", "/webhooks/" + webhook, ALICE, null);
        expect(404, "DELETE", "/webhooks/" + webhook, ALICE, null);

        assertThat(violations).as("answers the OpenAPI document does not describe").isEmpty();
        assertThat(CONTRACT.answeredWithSuccess()).as("operations answered with a success")
                .containsExactlyInAnyOrderElementsOf(CONTRACT.operations());
    }

    @Test
    void theOracleRefusesWhatTheDocumentDoesNotDescribe() {
        assertThat(CONTRACT.violations("GET", "/balance/a", 200, "application/json", "{\"balance\":1}"))
                .as("a balance without its required fields").isNotEmpty();
        assertThat(CONTRACT.violations("GET", "/balance/a", 418, "application/json", "{}")).isNotEmpty();
        assertThat(CONTRACT.violations("GET", "/balance/a", 404, "text/html", "<p>")).isNotEmpty();
        assertThat(CONTRACT.violations("DELETE", "/balance/a", 200, "application/json", "{}")).isNotEmpty();
        assertThat(CONTRACT.violations("POST", "/transaction", 422, "application/problem+json",
                "{\"title\":\"x\"}")).as("a problem without its status").isNotEmpty();
    }

    @Test
    void theGatewayServesItsOwnDescriptionAndABrowsablePage() throws Exception {
        Answer json = call("GET", "/openapi.json", null, null);
        assertThat(json.status()).isEqualTo(200);
        assertThat(json.contentType()).startsWith("application/json");
        assertThat(dev.bank.schemas.Json.MAPPER.readTree(json.body()).path("paths").size())
                .isEqualTo(CONTRACT.operations().stream().map(o -> o.substring(o.indexOf(' ') + 1)).distinct().count());
        Answer yaml = call("GET", "/openapi.yaml", null, null);
        assertThat(yaml.status()).isEqualTo(200);
        assertThat(yaml.body()).startsWith("openapi: 3.1");
        Answer page = call("GET", "/docs", null, null);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.contentType()).startsWith("text/html");
        String ui = page.body().replaceAll("(?s).*href=\"([^\"]+)/swagger-ui.css\".*", "$1");
        Answer bundle = call("GET", ui + "/swagger-ui-bundle.js", null, null);
        assertThat(bundle.status()).as(ui).isEqualTo(200);
        assertThat(call("GET", "/docs/init.js", null, null).body()).contains("/openapi.json");
    }
}
