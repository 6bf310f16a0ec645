package dev.bank.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bank.gateway.auth.Scope;
import dev.bank.gateway.auth.Tokens;
import dev.bank.schemas.Json;
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
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every route the gateway serves, taken from the running app (so a new route cannot ship unprotected), against the
 * ways in an attacker tries: no token, a malformed one, a bad signature, expired, not yet valid, another issuer or
 * audience, {@code alg: none}, an unknown key, the RS/HS confusion, a missing scope, another customer's account; and
 * an admin, who gets in. Also the processor's query API without the service credential.
 */
class SecurityIT {
    @TempDir
    static Path stateDir;
    static BankSystem bank;
    static Tokens forge;
    /** Webhook subscriptions of sec-alice: one the routes read and replay, one an admin deletes. */
    static String webhook;
    static String webhookToDelete;
    static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        // webhooks may target a closed port on loopback only: nothing leaves the machine
        bank = BankSystem.start(stateDir, Map.of("BANK_WEBHOOK_ALLOWED_HOSTS", "127.0.0.1"), 1);
        forge = new Tokens(BankStack.issuerForTests());
        Http alice = bank.http().as(BankStack.token("sec-alice", Scope.READ, Scope.WRITE));
        assertThat(alice.post("/accounts", "{\"accountId\":\"sec-a\",\"currency\":\"EUR\",\"initialDeposit\":\"100\","
                + "\"transactionId\":\"sec-open\"}").status()).isEqualTo(201);
        assertThat(alice.post("/accounts", "{\"accountId\":\"sec-b\",\"currency\":\"EUR\",\"transactionId\":\"sec-open-b\"}")
                .status()).isEqualTo(201);
        assertThat(alice.post("/accounts", "{\"accountId\":\"sec-life\",\"currency\":\"EUR\",\"transactionId\":\"sec-open-life\"}")
                .status()).isEqualTo(201);
        assertThat(alice.post("/accounts", "{\"accountId\":\"sec-closing\",\"currency\":\"EUR\",\"transactionId\":\"sec-open-closing\"}")
                .status()).isEqualTo(201);
        assertThat(alice.post("/transfers", "{\"fromAccountId\":\"sec-a\",\"toAccountId\":\"sec-b\",\"amount\":\"1\","
                + "\"transactionId\":\"sec-tr\"}").status()).isEqualTo(200);
        for (String hold : List.of("sec-hold-c", "sec-hold-v")) {
            assertThat(alice.post("/accounts/sec-a/holds", "{\"amount\":\"1\",\"holdId\":\"" + hold + "\"}").status())
                    .isEqualTo(201);
        }
        webhook = alice.post("/webhooks", WEBHOOK_BODY).text("id");
        webhookToDelete = alice.post("/webhooks", WEBHOOK_BODY).text("id");
        assertThat(webhook).startsWith("wh_");
        assertThat(webhookToDelete).startsWith("wh_");
        assertThat(bank.admin().post("/fx/rates", "{\"base\":\"EUR\",\"quote\":\"USD\",\"rate\":\"1.1\","
                + "\"validFor\":\"PT1H\"}").status()).isEqualTo(201);
        // two payments held for fraud review, for the review routes: with sec-a's own daily cap at 0.01, every one is
        assertThat(bank.admin().put("/accounts/sec-a/fraud-rules", "{\"dailyOutflowCap\":\"0.01\"}", "sec-rules")
                .status()).isEqualTo(200);
        for (String review : List.of("sec-rev-approve", "sec-rev-reject")) {
            assertThat(alice.post("/transaction", "{\"accountId\":\"sec-a\",\"type\":\"debit\",\"amount\":\"1\"}",
                    review).status()).isEqualTo(202);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        bank.close();
    }

    private record Answer(int status, String wwwAuthenticate, String contentType, JsonNode body) {}

    private static final String WEBHOOK_BODY = "{\"url\":\"http://127.0.0.1:9/sec\"}";

    private static Answer call(String route, String token) throws Exception {
        String[] methodAndPath = route.split(" ", 2);
        // the lifecycle routes act on an account of their own: an admin closing sec-a would change what others read
        String account = methodAndPath[1].endsWith("/close") ? "sec-closing"
                : methodAndPath[1].matches("/accounts/\\{accountId}/(freeze|unfreeze|limits|fraud-rules)") ? "sec-life"
                : "sec-a";
        String path = methodAndPath[1].replace("{accountId}", account).replace("{transactionId}", "sec-open")
                .replace("{transferId}", "sec-tr").replace("{month}", YearMonth.now().toString())
                .replace("{holdId}", methodAndPath[1].endsWith("/void") ? "sec-hold-v" : "sec-hold-c")
                .replace("{reviewId}", methodAndPath[1].endsWith("/reject") ? "sec-rev-reject" : "sec-rev-approve")
                .replace("{webhookId}", methodAndPath[0].equals("DELETE") ? webhookToDelete : webhook);
        String body = switch (methodAndPath[1]) {
            case "/accounts" -> "{\"currency\":\"EUR\"}";
            case "/transaction" -> "{\"accountId\":\"sec-a\",\"type\":\"debit\",\"amount\":\"1\"}";
            case "/transfers" -> "{\"fromAccountId\":\"sec-a\",\"toAccountId\":\"sec-b\",\"amount\":\"1\"}";
            case "/accounts/{accountId}/interest-rate" -> "{\"interestRate\":\"0.01\"}";
            case "/accounts/{accountId}/limits" -> "{\"overdraftLimit\":\"10\"}";
            case "/accounts/{accountId}/fraud-rules" -> "{\"velocityMaxCount\":50}";
            case "/accounts/{accountId}/holds" -> "{\"amount\":\"1\"}";
            case "/fx/quotes" -> "{\"from\":\"EUR\",\"to\":\"USD\"}";
            case "/webhooks" -> methodAndPath[0].equals("POST") ? WEBHOOK_BODY : null;
            case "/fx/rates" -> methodAndPath[0].equals("POST")
                    ? "{\"base\":\"EUR\",\"quote\":\"USD\",\"rate\":\"1.1\",\"validFor\":\"PT1H\"}" : null;
            default -> null;
        };
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(bank.http().base() + path))
                .timeout(Duration.ofSeconds(30))
                .method(methodAndPath[0], body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) request.header("Content-Type", "application/json");
        if (token != null) request.header("Authorization", token.startsWith("!") ? token.substring(1) : "Bearer " + token);
        HttpResponse<java.io.InputStream> r = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        String contentType = r.headers().firstValue("Content-Type").orElse("");
        String text;
        try (java.io.InputStream in = r.body()) {
            // a live event stream does not end: its head is the answer
            text = contentType.startsWith("text/event-stream") ? ""
                    : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        return new Answer(r.statusCode(), r.headers().firstValue("WWW-Authenticate").orElse(null), contentType,
                text.isEmpty() ? null : Json.MAPPER.readTree(text));
    }

    private static List<String> protectedRoutes() {
        Map<String, String> rules = bank.gateway().accessRules();
        return bank.gateway().routes().stream().filter(r -> !"PUBLIC".equals(rules.get(r))).toList();
    }

    @Test
    void everyRouteTheGatewayServesHasAnAccessRuleAndOnlyHealthMetricsAndTheApiDescriptionArePublic() {
        Map<String, String> rules = bank.gateway().accessRules();
        assertThat(bank.gateway().routes()).isNotEmpty().allSatisfy(route ->
                assertThat(rules).as("access rule of " + route).containsKey(route));
        assertThat(bank.gateway().routes()).filteredOn(r -> "PUBLIC".equals(rules.get(r)))
                .allMatch(r -> r.startsWith("GET /health") || r.equals("GET /metrics")
                        || r.equals("GET /openapi.yaml") || r.equals("GET /openapi.json") || r.startsWith("GET /docs"));
        assertThat(protectedRoutes()).hasSizeGreaterThanOrEqualTo(10);
    }

    @Test
    void everyProtectedRouteRefusesEveryBadToken() throws Exception {
        Map<String, BiFunction<String, String, String>> attacks = new LinkedHashMap<>();
        attacks.put("no token", (s, sc) -> null);
        attacks.put("not a bearer token", (s, sc) -> "!Basic YWxpY2U6c2VjcmV0");
        attacks.put("malformed", (s, sc) -> "not.a.jwt");
        attacks.put("bad signature", forge::badSignature);
        attacks.put("expired", forge::expired);
        attacks.put("not yet valid", forge::notYetValid);
        attacks.put("wrong issuer", forge::wrongIssuer);
        attacks.put("wrong audience", forge::wrongAudience);
        attacks.put("alg none", forge::unsigned);
        attacks.put("unknown kid", forge::unknownKey);
        attacks.put("HS256 keyed with the public key", forge::hmacWithThePublicKey);
        attacks.put("edited subject", (s, sc) -> forge.tamperedSubject(s, sc, "sec-mallory"));
        List<String> failures = new ArrayList<>();
        for (String route : protectedRoutes()) {
            for (var attack : attacks.entrySet()) {
                Answer a = call(route, attack.getValue().apply("sec-alice", "bank:read bank:write bank:admin"));
                if (a.status() != 401 || a.wwwAuthenticate() == null || !a.wwwAuthenticate().startsWith("Bearer")
                        || !a.contentType().startsWith("application/problem+json")
                        || (attack.getValue().apply("x", "y") != null && !a.wwwAuthenticate().contains("invalid_token"))) {
                    failures.add(route + " with " + attack.getKey() + ": " + a);
                }
            }
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void aTokenWithoutTheScopeARouteNeedsIsForbidden() throws Exception {
        String noScopes = BankStack.token("sec-alice");
        String readOnly = BankStack.token("sec-alice", Scope.READ);
        Map<String, String> rules = bank.gateway().accessRules();
        for (String route : protectedRoutes()) {
            Answer none = call(route, noScopes);
            assertThat(none.status()).as(route + " with no scope").isEqualTo(403);
            assertThat(none.wwwAuthenticate()).as(route).contains("insufficient_scope");
            Answer read = call(route, readOnly);
            if (rules.get(route).equals("READ")) assertThat(read.status()).as(route + " read-only").isNotIn(401, 403);
            else assertThat(read.status()).as(route + " read-only").isEqualTo(403);
        }
        // the customer cannot change rates or open accounts for others; an admin can
        String customer = BankStack.token("sec-alice", Scope.READ, Scope.WRITE);
        assertThat(call("PUT /accounts/{accountId}/interest-rate", customer).status()).isEqualTo(403);
        // nor set their own limits, nor freeze or unfreeze (a frozen customer would unfreeze themselves)
        // nor see or decide fraud reviews, or set fraud thresholds (the review's findings name them)
        for (String adminOnly : List.of("PUT /accounts/{accountId}/limits", "POST /accounts/{accountId}/freeze",
                "POST /accounts/{accountId}/unfreeze", "GET /reviews", "GET /accounts/{accountId}/reviews",
                "GET /accounts/{accountId}/reviews/{reviewId}", "POST /accounts/{accountId}/reviews/{reviewId}/approve",
                "POST /accounts/{accountId}/reviews/{reviewId}/reject", "PUT /accounts/{accountId}/fraud-rules")) {
            assertThat(rules.get(adminOnly)).as(adminOnly).isEqualTo("ADMIN");
            assertThat(call(adminOnly, customer).status()).as(adminOnly).isEqualTo(403);
        }
        Http alice = bank.http().as(customer);
        assertThat(alice.post("/accounts", "{\"currency\":\"EUR\",\"owner\":\"sec-bob\"}").status()).isEqualTo(403);
        // nor pick their own interest rate when opening (it would be a rate change without an admin)
        assertThat(alice.post("/accounts", "{\"accountId\":\"sec-r\",\"currency\":\"EUR\",\"interestRate\":\"1\"}")
                .status()).isEqualTo(403);
        assertThat(bank.admin().post("/accounts",
                "{\"accountId\":\"sec-r\",\"currency\":\"EUR\",\"owner\":\"sec-alice\",\"interestRate\":\"0.03\"}")
                .status()).isEqualTo(201);
        assertThat(bank.admin().post("/accounts", "{\"accountId\":\"sec-c\",\"currency\":\"EUR\",\"owner\":\"sec-bob\"}")
                .status()).isEqualTo(201);
    }

    @Test
    void anotherCustomersAccountIsNotFoundOnEveryRouteAndAnAdminGetsIn() throws Exception {
        String mallory = BankStack.token("sec-mallory", Scope.READ, Scope.WRITE);
        String admin = BankStack.adminToken();
        List<String> failures = new ArrayList<>();
        for (String route : protectedRoutes()) {
            // a webhook subscription is its owner's as an account is: another's answers 404
            boolean aboutAnAccount = route.contains("{accountId}") || route.contains("{webhookId}")
                    || route.startsWith("POST /transaction")
                    || route.startsWith("POST /transfers");
            if (aboutAnAccount && !"ADMIN".equals(bank.gateway().accessRules().get(route))) {
                Answer a = call(route, mallory);
                if (a.status() != 404 || !"application/problem+json".equals(a.contentType())) {
                    failures.add(route + " as another customer: " + a);
                }
            }
            Answer in = call(route, admin);
            if (in.status() >= 400) failures.add(route + " as an admin: " + in);
        }
        assertThat(failures).isEmpty();
        // and what another customer was told is what a missing account gets
        Answer foreign = call("GET /balance/{accountId}", mallory);
        Answer missing = call("GET /balance/nobody-at-all", mallory);
        assertThat(foreign.body().get("title")).isEqualTo(missing.body().get("title"));
    }

    @Test
    void theLiveEventStreamIsTheOwnersOrAnAdminsAndAHostileStartIs400() throws Exception {
        String path = bank.http().base() + "/accounts/sec-a/events";
        String alice = BankStack.token("sec-alice", Scope.READ);
        String mallory = BankStack.token("sec-mallory", Scope.READ, Scope.WRITE);
        assertThat(stream(path, null, null).status()).isEqualTo(401);
        Streamed foreign = stream(path, mallory, null);
        assertThat(foreign.status()).isEqualTo(404);
        // what another's account says is what a missing one says
        assertThat(foreign.body()).isEqualTo(stream(bank.http().base() + "/accounts/sec-nobody/events", mallory, null)
                .body().replace("sec-nobody", "sec-a"));
        for (String bad : List.of("abc", "-1", "1.5", "0x1", "9".repeat(19), "1".repeat(4000), "1;2", "%31")) {
            Streamed refused = stream(path, alice, bad);
            assertThat(refused.status()).as(bad).isEqualTo(400);
            assertThat(refused.contentType()).startsWith("application/problem+json");
        }
        // and with a valid token and start, the owner and an admin get the stream
        assertThat(stream(path, alice, "0").status()).isEqualTo(200);
        assertThat(stream(path, BankStack.adminToken(), "0").status()).isEqualTo(200);
    }

    private record Streamed(int status, String contentType, String body) {}

    /** A live event stream's answer: a problem's body, or (200) none, the stream dropped once its head is in. */
    private static Streamed stream(String url, String token, String lastEventId) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        if (token != null) r.header("Authorization", "Bearer " + token);
        if (lastEventId != null) r.header("Last-Event-ID", lastEventId);
        HttpResponse<java.io.InputStream> answer = client.send(r.build(), HttpResponse.BodyHandlers.ofInputStream());
        try (java.io.InputStream in = answer.body()) {
            return new Streamed(answer.statusCode(), answer.headers().firstValue("Content-Type").orElse(""),
                    answer.statusCode() == 200 ? "" : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    @Test
    void theQueryApiAnswersOnlyWithTheServiceCredential() throws Exception {
        String url = bank.processor().queryUrl() + "/internal/accounts/sec-a";
        for (String authorization : new String[] {null, "Bearer wrong-token-0123456789abcdef",
                "Bearer " + BankStack.customerToken(), "Basic x"}) {
            HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
            if (authorization != null) r.header("Authorization", authorization);
            HttpResponse<String> answer = client.send(r.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).as(String.valueOf(authorization)).isEqualTo(401);
            assertThat(answer.headers().firstValue("Content-Type")).get().asString().startsWith("application/problem+json");
        }
        assertThat(bank.query().get("/internal/accounts/sec-a").status()).isEqualTo(200);
        assertThat(bank.query().get("/health/ready").status()).isEqualTo(200);
    }

    @Test
    void theQueryApiTellsFraudReviewsOnlyToAdminsNotEvenToTheAccountsOwner() throws Exception {
        String base = bank.processor().queryUrl();
        for (String path : List.of("/internal/accounts/sec-a/reviews/sec-rev-approve", "/internal/accounts/sec-a/reviews",
                "/internal/reviews")) {
            assertThat(internal(base + path, "sec-alice", false)).as(path + " for the owner").isEqualTo(404);
            assertThat(internal(base + path, "sec-alice", true)).as(path + " for an admin").isEqualTo(200);
            assertThat(internal(base + path, null, false)).as(path + " for a service").isEqualTo(200);
        }
        // while the owner reads the account itself
        assertThat(internal(base + "/internal/accounts/sec-a", "sec-alice", false)).isEqualTo(200);
    }

    private static int internal(String url, String principal, boolean admin) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + BankStack.SERVICE_TOKEN);
        if (principal != null) r.header(dev.bank.observability.InternalApi.PRINCIPAL_HEADER, principal);
        if (admin) r.header(dev.bank.observability.InternalApi.ADMIN_HEADER, "true");
        return client.send(r.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }
}
