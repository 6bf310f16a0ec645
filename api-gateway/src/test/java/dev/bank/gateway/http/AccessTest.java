package dev.bank.gateway.http;

import com.nimbusds.jose.jwk.ECKey;
import dev.bank.gateway.auth.ApiSecurity;
import dev.bank.gateway.auth.AuthConfig;
import dev.bank.gateway.auth.Tokens;
import dev.bank.observability.HttpListener;
import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The gateway's access layer on a real HTTP server: rate limits, capacity, caching and CORS headers. */
class AccessTest {
    @TempDir
    Path dir;

    private final ECKey key = Tokens.newKey();
    private final Tokens tokens = new Tokens(key);
    private final HttpClient client = HttpClient.newHttpClient();
    private Javalin app;
    private Access access;
    private final CompletableFuture<Void> release = new CompletableFuture<>();

    private int start(Map<String, String> env) throws Exception {
        Path file = dir.resolve("public.jwk");
        Files.writeString(file, key.toPublicJWK().toJSONString());
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("BANK_JWT_PUBLIC_KEY_FILE", file.toString());
        ApiSecurity security = ApiSecurity.fromEnv(all);
        access = new Access(security, new SimpleMeterRegistry());
        app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            HttpListener.install(config, () -> new InetSocketAddress("127.0.0.1", 0));
            access.install(config, security);
            access.rule(HandlerType.GET, "/thing", Access.Rule.READ);
            config.routes.get("/thing", ctx -> ctx.result("ok " + Access.principal(ctx).subject()));
            access.rule(HandlerType.GET, "/slow", Access.Rule.READ);
            config.routes.get("/slow", ctx -> ctx.future(() -> release.thenRun(() -> ctx.result("slow"))));
            access.rule(HandlerType.GET, "/health/live", Access.Rule.PUBLIC);
            config.routes.get("/health/live", ctx -> ctx.result("up"));
            config.routes.get("/forgotten", ctx -> ctx.result("should never be served"));
        }).start();
        return app.port();
    }

    @AfterEach
    void stop() {
        release.complete(null);
        if (app != null) app.stop();
    }

    private HttpResponse<String> get(int port, String path, String token, String origin) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10));
        if (token != null) b.header("Authorization", "Bearer " + token);
        if (origin != null) b.header("Origin", origin);
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aRouteWithoutARuleIsRefusedAndPublicOnesNeedNoToken() throws Exception {
        int port = start(Map.of());
        assertThat(get(port, "/forgotten", tokens.good("alice", "bank:admin"), null).statusCode()).isEqualTo(403);
        assertThat(get(port, "/health/live", null, null).body()).isEqualTo("up");
        HttpResponse<String> ok = get(port, "/thing", tokens.good("alice", "bank:read"), null);
        assertThat(ok.body()).isEqualTo("ok alice");
        assertThat(ok.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(ok.headers().firstValue("Access-Control-Allow-Origin")).as("no CORS unless configured").isEmpty();
        // HEAD is served by the GET route, under its rule
        assertThat(head(port, "/health/live", null)).isEqualTo(200);
        assertThat(head(port, "/thing", null)).isEqualTo(401);
        assertThat(head(port, "/thing", tokens.good("alice", "bank:read"))).isEqualTo(200);
    }

    private int head(int port, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method("HEAD", HttpRequest.BodyPublishers.noBody());
        if (token != null) b.header("Authorization", "Bearer " + token);
        return client.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void aPrincipalOverItsRateIsToldToRetryLaterAndOthersAreNotAffected() throws Exception {
        int port = start(Map.of("BANK_RATE_LIMIT_PER_SECOND", "3"));
        String alice = tokens.good("alice", "bank:read");
        List<Integer> statuses = new ArrayList<>();
        HttpResponse<String> limited = null;
        for (int i = 0; i < 8; i++) {
            HttpResponse<String> r = get(port, "/thing", alice, null);
            statuses.add(r.statusCode());
            if (r.statusCode() == 429) limited = r;
        }
        assertThat(statuses).contains(429).filteredOn(s -> s == 200).hasSizeLessThanOrEqualTo(6);
        assertThat(limited.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(limited.headers().firstValue("Content-Type")).get().asString().startsWith("application/problem+json");
        assertThat(get(port, "/thing", tokens.good("bob", "bank:read"), null).statusCode()).isEqualTo(200);
    }

    @Test
    void theGatewayShedsLoadAtCapacityAndFreesTheSlotWhenAnAsyncAnswerIsDone() throws Exception {
        int port = start(Map.of("BANK_MAX_IN_FLIGHT", "1"));
        String alice = tokens.good("alice", "bank:read");
        CompletableFuture<HttpResponse<String>> slow = client.sendAsync(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/slow")).header("Authorization", "Bearer " + alice).build(),
                HttpResponse.BodyHandlers.ofString());
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> access.inFlight(1) == 1);
        HttpResponse<String> shed = get(port, "/thing", alice, null);
        assertThat(shed.statusCode()).isEqualTo(503);
        assertThat(shed.headers().firstValue("Retry-After")).hasValue("1");
        release.complete(null);
        assertThat(slow.get(10, TimeUnit.SECONDS).body()).isEqualTo("slow");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> access.inFlight(1) == 0);
        assertThat(get(port, "/thing", alice, null).statusCode()).isEqualTo(200);
        // refused requests hold no slot
        for (int i = 0; i < 5; i++) get(port, "/thing", "not-a-token", null);
        assertThat(access.inFlight(1)).isZero();
    }

    @Test
    void corsOnlyForTheConfiguredOrigins() throws Exception {
        int port = start(Map.of("BANK_CORS_ORIGINS", "https://app.example"));
        String alice = tokens.good("alice", "bank:read");
        assertThat(get(port, "/thing", alice, "https://app.example").headers().firstValue("Access-Control-Allow-Origin"))
                .hasValue("https://app.example");
        assertThat(get(port, "/thing", alice, "https://evil.example").headers()
                .firstValue("Access-Control-Allow-Origin")).isEmpty();
    }
}
