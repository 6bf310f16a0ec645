package dev.bank.observability;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bank.schemas.Json;
import dev.bank.schemas.Problem;
import io.javalin.Javalin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An impossible id in a path is answered with the route's own 404, and only after the handlers that run before every
 * route (authentication): Javalin also wraps those, where the route is not known yet.
 */
class PathIdsTest {
    static Javalin app;
    static final List<String> ran = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() {
        app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            PathIds.install(config, (route, params) -> Problem.of(404, "Not found", "route " + route));
            config.routes.beforeMatched(ctx -> {
                ran.add("before " + ctx.path());
                if (ctx.header("Authorization") == null) {
                    HttpErrors.write(ctx, Problem.of(401, "Unauthorized", "a token is required"));
                    ctx.skipRemainingHandlers();
                }
            });
            config.routes.get("/accounts/{accountId}/reviews/{reviewId}", ctx -> ctx.result("review"));
            config.routes.get("/accounts/{accountId}", ctx -> ctx.result("account"));
        }).start(0);
    }

    @AfterAll
    static void stop() {
        app.stop();
    }

    private static RawHttp.Answer get(String path, boolean token) throws Exception {
        return RawHttp.send(app.port(), "GET " + path + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                + (token ? "Authorization: Bearer x\r\n" : "") + "\r\n", null);
    }

    @Test
    void anImpossibleIdIsTheRoutesOwn404() throws Exception {
        for (String path : List.of("/accounts/alice/reviews/r%20-1", "/accounts/a%20b/reviews/r-1",
                "/accounts/alice/reviews/" + "x".repeat(129))) {
            RawHttp.Answer a = get(path, true);
            assertThat(a.status()).as(path).isEqualTo(404);
            JsonNode problem = Json.MAPPER.readTree(a.body());
            assertThat(problem.get("detail").asText()).as(path).isEqualTo("route /accounts/{accountId}/reviews/{reviewId}");
        }
        assertThat(get("/accounts/alice/reviews/r-1", true).body()).isEqualTo("review");
    }

    @Test
    void theHandlersBeforeEveryRouteRunFirstSoNoTokenIs401WhateverTheIds() throws Exception {
        ran.clear();
        assertThat(get("/accounts/a%20b", false).status()).isEqualTo(401);
        assertThat(get("/accounts/a%20b/reviews/r%20-1", false).status()).isEqualTo(401);
        assertThat(ran).containsExactly("before /accounts/a%20b", "before /accounts/a%20b/reviews/r%20-1");
    }
}
