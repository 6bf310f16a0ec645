package dev.bank.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.jwk.ECKey;
import dev.bank.gateway.auth.ApiSecurity;
import dev.bank.gateway.auth.Tokens;
import dev.bank.gateway.config.WebhookSettings;
import dev.bank.gateway.kafka.WebhookStore;
import dev.bank.observability.HttpErrors;
import dev.bank.observability.HttpListener;
import dev.bank.observability.PathIds;
import dev.bank.observability.WebhookTargets;
import dev.bank.schemas.Json;
import dev.bank.schemas.Problem;
import dev.bank.schemas.WebhookReplay;
import dev.bank.schemas.WebhookSubscription;
import io.javalin.Javalin;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The webhook routes on a real HTTP server with the gateway's access layer and a store in memory (the Kafka-backed
 * one, end to end: {@code WebhooksIT}): who may create, see, delete and replay which subscription, what is answered,
 * and that the secret is shown once.
 */
class WebhookRoutesTest {
    @TempDir
    Path dir;

    private final ECKey key = Tokens.newKey();
    private final Tokens tokens = new Tokens(key);
    private final HttpClient client = HttpClient.newHttpClient();
    private final MemoryStore store = new MemoryStore();
    private Javalin app;
    private WebhookRoutes routes;
    private int port;

    /** The subscriptions in a map; writes complete at once, or fail when {@link #down} is set. */
    static final class MemoryStore implements WebhookStore {
        final Map<String, WebhookSubscription> subscriptions = new ConcurrentHashMap<>();
        final List<WebhookReplay> replays = new ArrayList<>();
        volatile boolean down;
        volatile String problem;

        @Override
        public Collection<WebhookSubscription> all() {
            return List.copyOf(subscriptions.values());
        }

        @Override
        public Optional<WebhookSubscription> get(String id) {
            return Optional.ofNullable(subscriptions.get(id));
        }

        @Override
        public CompletableFuture<Void> put(WebhookSubscription subscription) {
            if (down) return CompletableFuture.failedFuture(new IllegalStateException("broker down"));
            subscriptions.put(subscription.id(), subscription);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> delete(String id) {
            subscriptions.remove(id);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public synchronized CompletableFuture<Void> replay(WebhookReplay replay) {
            replays.add(replay);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public String problem() {
            return problem;
        }
    }

    @BeforeEach
    void start() throws Exception {
        Path file = dir.resolve("public.jwk");
        Files.writeString(file, key.toPublicJWK().toJSONString());
        ApiSecurity security = ApiSecurity.fromEnv(Map.of("BANK_JWT_PUBLIC_KEY_FILE", file.toString()));
        Access access = new Access(security, new SimpleMeterRegistry());
        Map<String, String> dns = Map.of("hooks.example.com", "93.184.216.34", "internal.example.com", "10.0.0.7");
        WebhookTargets targets = new WebhookTargets(WebhookTargets.AllowList.parse("receiver.test"), host -> {
            String address = dns.get(host);
            if (address == null) throw new UnknownHostException(host);
            return new InetAddress[] {InetAddress.getByName(address)};
        });
        routes = new WebhookRoutes(store, targets, new WebhookSettings(WebhookTargets.AllowList.NONE, 3),
                Clock.fixed(Instant.parse("2026-11-28T10:00:00Z"), ZoneOffset.UTC), Duration.ofSeconds(5));
        app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            HttpListener.install(config, () -> new InetSocketAddress("127.0.0.1", 0));
            PathIds.install(config, NotFound::at);
            access.install(config, security);
            routes.install((method, path, rule, handler) -> {
                access.rule(method, path, rule);
                config.routes.addHttpHandler(method, path, handler);
            });
            config.routes.exception(InvalidRequestException.class, (e, ctx) -> HttpErrors.write(ctx,
                    Problem.of(400, "Invalid request", "the request has invalid fields").withErrors(e.errors())));
            config.routes.exception(RejectedRequestException.class, (e, ctx) -> HttpErrors.write(ctx, e.problem()));
        }).start();
        port = app.port();
    }

    @AfterEach
    void stop() {
        if (app != null) app.stop();
        routes.close();
    }

    private record Answer(int status, String contentType, JsonNode body, HttpResponse<String> raw) {}

    private Answer call(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) b.header("Authorization", "Bearer " + token);
        if (body != null) b.header("Content-Type", "application/json");
        HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""),
                r.body().isEmpty() ? null : Json.MAPPER.readTree(r.body()), r);
    }

    private String alice() {
        return tokens.good("alice", "bank:read bank:write");
    }

    private String create(String token, String body) throws Exception {
        Answer created = call("POST", "/webhooks", token, body);
        assertThat(created.status()).as(String.valueOf(created.body())).isEqualTo(201);
        return created.body().get("id").asText();
    }

    @Test
    void aCustomerCreatesASubscriptionAndSeesItsSecretOnceThenReadsItWithout() throws Exception {
        Answer created = call("POST", "/webhooks", alice(), "{\"url\":\"https://hooks.example.com/bank\","
                + "\"eventTypes\":[\"posting.created\",\"statement.ready\",\"posting.created\"],"
                + "\"accountIds\":[\"acc-1\"],\"description\":\"ledger sync\"}");

        assertThat(created.status()).isEqualTo(201);
        String id = created.body().get("id").asText();
        assertThat(id).matches("wh_[a-z0-9]{24}");
        assertThat(created.raw().headers().firstValue("Location")).hasValue("/webhooks/" + id);
        assertThat(created.body().get("secret").asText()).matches("whsec_[A-Za-z0-9+/]{43}=");
        assertThat(created.body().get("eventTypes").toString()).isEqualTo("[\"posting.created\",\"statement.ready\"]");
        assertThat(created.body().get("owner").asText()).isEqualTo("alice");
        assertThat(created.body().get("admin").asBoolean()).isFalse();
        assertThat(created.body().get("createdAt").asText()).isEqualTo("2026-11-28T10:00:00Z");
        assertThat(store.subscriptions.get(id).secret()).isEqualTo(created.body().get("secret").asText());

        Answer read = call("GET", "/webhooks/" + id, alice(), null);
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.body().has("secret")).isFalse();
        assertThat(read.raw().body()).doesNotContain("whsec_");
        Answer list = call("GET", "/webhooks", alice(), null);
        assertThat(list.body().get("webhooks")).hasSize(1);
        assertThat(list.raw().body()).doesNotContain("whsec_");
        assertThat(list.body().get("more").asBoolean()).isFalse();
    }

    @Test
    void aGivenSecretIsKeptAndABadOneRefusedWithoutEchoingIt() throws Exception {
        String secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        String id = create(alice(), "{\"url\":\"https://hooks.example.com/x\",\"secret\":\"" + secret + "\"}");
        assertThat(store.subscriptions.get(id).secret()).isEqualTo(secret);
        for (String bad : List.of("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_c2hvcnQ=", "whsec_not base64!!",
                "whsec_" + "A".repeat(100))) {
            Answer refused = call("POST", "/webhooks", alice(), "{\"url\":\"https://hooks.example.com/x\",\"secret\":\""
                    + bad + "\"}");
            assertThat(refused.status()).as(bad).isEqualTo(400);
            assertThat(refused.body().get("errors").has("secret")).isTrue();
            assertThat(refused.raw().body()).as("the secret is not echoed").doesNotContain(bad);
        }
    }

    @Test
    void withoutATokenOrTheScopeTheRoutesRefuse() throws Exception {
        String id = create(alice(), "{\"url\":\"https://hooks.example.com/x\"}");
        for (String[] route : new String[][] {{"POST", "/webhooks"}, {"GET", "/webhooks"}, {"GET", "/webhooks/" + id},
                {"DELETE", "/webhooks/" + id}, {"POST", "/webhooks/" + id + "/replay"}}) {
            Answer anonymous = call(route[0], route[1], null, route[0].equals("POST") ? "{}" : null);
            assertThat(anonymous.status()).as("%s %s", route[0], route[1]).isEqualTo(401);
            assertThat(anonymous.contentType()).startsWith("application/problem+json");
            boolean writes = !route[0].equals("GET");
            Answer readOnly = call(route[0], route[1], tokens.good("alice", "bank:read"), writes ? "{}" : null);
            assertThat(readOnly.status()).as("%s %s read-only", route[0], route[1]).isEqualTo(writes ? 403 : 200);
        }
        assertThat(store.subscriptions).containsKey(id);
    }

    @Test
    void anotherCustomersSubscriptionIsNotFoundOnEveryRouteAndAnAdminReachesIt() throws Exception {
        String id = create(alice(), "{\"url\":\"https://hooks.example.com/x\"}");
        String mallory = tokens.good("mallory", "bank:read bank:write");
        Answer missing = call("GET", "/webhooks/wh_doesnotexist", mallory, null);
        for (String[] route : new String[][] {{"GET", "/webhooks/" + id}, {"DELETE", "/webhooks/" + id},
                {"POST", "/webhooks/" + id + "/replay"}}) {
            Answer foreign = call(route[0], route[1], mallory, null);
            assertThat(foreign.status()).as("%s %s", route[0], route[1]).isEqualTo(404);
            assertThat(foreign.body().get("title")).isEqualTo(missing.body().get("title"));
        }
        assertThat(call("GET", "/webhooks", mallory, null).body().get("webhooks")).isEmpty();
        assertThat(call("GET", "/webhooks?owner=alice", mallory, null).body().get("webhooks")).isEmpty();
        assertThat(store.subscriptions).containsKey(id);
        assertThat(store.replays).isEmpty();
        // an impossible id is the same 404, before the route runs
        assertThat(call("GET", "/webhooks/not-a-webhook-id", alice(), null).status()).isEqualTo(404);

        String admin = tokens.good("ops", "bank:read bank:write bank:admin");
        create(tokens.good("bob", "bank:read bank:write"), "{\"url\":\"https://hooks.example.com/y\"}");
        assertThat(call("GET", "/webhooks", admin, null).body().get("webhooks")).hasSize(2);
        assertThat(call("GET", "/webhooks?owner=alice", admin, null).body().get("webhooks")).hasSize(1);
        assertThat(call("GET", "/webhooks?limit=1", admin, null).body().get("more").asBoolean()).isTrue();
        assertThat(call("GET", "/webhooks/" + id, admin, null).status()).isEqualTo(200);
        Answer replay = call("POST", "/webhooks/" + id + "/replay", admin, "{\"since\":\"2026-11-27T00:00:00Z\"}");
        assertThat(replay.status()).isEqualTo(202);
        assertThat(replay.body().get("since").asText()).isEqualTo("2026-11-27T00:00:00Z");
        assertThat(store.replays).singleElement().satisfies(r -> {
            assertThat(r.subscriptionId()).isEqualTo(id);
            assertThat(r.since()).isEqualTo(Instant.parse("2026-11-27T00:00:00Z").toEpochMilli());
            assertThat(r.requestedBy()).isEqualTo("ops");
        });
        assertThat(call("DELETE", "/webhooks/" + id, admin, null).status()).isEqualTo(204);
        assertThat(call("GET", "/webhooks/" + id, alice(), null).status()).isEqualTo(404);
        // an admin's own subscription gets every account's events
        String everything = create(admin, "{\"url\":\"https://hooks.example.com/all\"}");
        assertThat(store.subscriptions.get(everything).admin()).isTrue();
    }

    @Test
    void theOwnerDeletesAndReplaysTheirOwn() throws Exception {
        String id = create(alice(), "{\"url\":\"https://hooks.example.com/x\"}");
        Answer replay = call("POST", "/webhooks/" + id + "/replay", alice(), null);
        assertThat(replay.status()).isEqualTo(202);
        assertThat(replay.body().get("status").asText()).isEqualTo("accepted");
        assertThat(replay.body().has("since")).isFalse();
        assertThat(store.replays).singleElement().extracting(WebhookReplay::since).isNull();
        assertThat(call("POST", "/webhooks/" + id + "/replay", alice(), "{\"since\":\"2099-01-01T00:00:00Z\"}").status())
                .as("since in the future").isEqualTo(400);
        assertThat(call("POST", "/webhooks/" + id + "/replay", alice(), "{\"since\":\"yesterday\"}").status())
                .isEqualTo(400);
        assertThat(call("DELETE", "/webhooks/" + id, alice(), null).status()).isEqualTo(204);
        assertThat(call("DELETE", "/webhooks/" + id, alice(), null).status()).isEqualTo(404);
    }

    @Test
    void aTargetTheSsrfRulesRefuseIsA400NamingWhy() throws Exception {
        for (String url : List.of("https://internal.example.com/x", "https://127.0.0.1/x", "https://[::1]/x",
                "https://169.254.169.254/latest/meta-data/", "http://hooks.example.com/x", "https://nowhere.example/x",
                "https://user:pw@hooks.example.com/x", "ftp://hooks.example.com/x")) {
            Answer refused = call("POST", "/webhooks", alice(), "{\"url\":\"" + url + "\"}");
            assertThat(refused.status()).as(url).isEqualTo(400);
            assertThat(refused.contentType()).startsWith("application/problem+json");
            assertThat(refused.body().get("errors").get("url").asText()).as(url).isNotBlank();
        }
        assertThat(store.subscriptions).isEmpty();
    }

    @Test
    void anOwnerHasAtMostTheConfiguredNumberOfSubscriptions() throws Exception {
        for (int i = 0; i < 3; i++) create(alice(), "{\"url\":\"https://hooks.example.com/" + i + "\"}");
        Answer fourth = call("POST", "/webhooks", alice(), "{\"url\":\"https://hooks.example.com/4\"}");
        assertThat(fourth.status()).isEqualTo(422);
        assertThat(fourth.body().get("detail").asText()).contains("at most 3");
        create(tokens.good("bob", "bank:read bank:write"), "{\"url\":\"https://hooks.example.com/b\"}");
    }

    @Test
    void hostileBodiesAreProblemsAndAStoreNotReadyIsA503() throws Exception {
        for (String body : List.of("", "[]", "{", "{\"url\":1}", "{\"url\":\"https://hooks.example.com/x\",\"eventType\":[]}",
                "{\"url\":\"https://hooks.example.com/x\",\"eventTypes\":\"posting.created\"}",
                "{\"url\":\"https://hooks.example.com/x\",\"eventTypes\":[\"balance.changed\"]}",
                "{\"url\":\"https://hooks.example.com/x\",\"accountIds\":[\"a b\"]}",
                "{\"url\":\"https://hooks.example.com/x\",\"accountIds\":[1]}",
                "{\"url\":\"https://hooks.example.com/x\",\"description\":\"line\\nbreak\"}",
                "{\"url\":\"https://hooks.example.com/x\",\"url\":\"https://hooks.example.com/y\"}")) {
            Answer refused = call("POST", "/webhooks", alice(), body);
            assertThat(refused.status()).as(body).isEqualTo(400);
            assertThat(refused.contentType()).as(body).startsWith("application/problem+json");
        }
        store.problem = "not yet reading bank.webhooks";
        Answer unavailable = call("GET", "/webhooks", alice(), null);
        assertThat(unavailable.status()).isEqualTo(503);
        store.problem = null;
        store.down = true;
        Answer notTaken = call("POST", "/webhooks", alice(), "{\"url\":\"https://hooks.example.com/x\"}");
        assertThat(notTaken.status()).isEqualTo(503);
        assertThat(notTaken.raw().headers().firstValue("Retry-After")).hasValue("1");
        store.down = false;
        // the failed creation does not count against the limit
        for (int i = 0; i < 3; i++) create(alice(), "{\"url\":\"https://hooks.example.com/" + i + "\"}");
    }
}
