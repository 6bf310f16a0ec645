package dev.bank.processor.query;

import dev.bank.schemas.Account;
import dev.bank.schemas.AccountStatus;
import dev.bank.observability.InternalApi;
import dev.bank.observability.InternalApi.Viewer;
import dev.bank.schemas.Json;
import io.javalin.Javalin;
import io.javalin.http.Context;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Asking the owning instance, against a real HTTP server standing in for it: answers, 404, and every failure. */
class ForwarderTest {
    private static final Account ACCOUNT =
            new Account("acc-1", "EUR", AccountStatus.OPEN, 12_345, 3, 1_700_000_000_000L);

    private static final String TOKEN = "test-service-token-0123456789";
    private final List<Javalin> owners = new ArrayList<>();
    // short, for the test of an owner that never answers; long enough for a first request on a busy 2-core machine
    private final Forwarder forwarder = new Forwarder(Duration.ofSeconds(2), TOKEN);

    @AfterEach
    void stop() {
        forwarder.close();
        owners.forEach(Javalin::stop);
    }

    @Test
    void readsTheOwnersAnswerAndMarksTheQuestionAsForwarded() throws Exception {
        List<String> asked = new ArrayList<>();
        HostInfo owner = owner(ctx -> {
            asked.add(ctx.path() + "?" + ctx.queryString() + " " + ctx.header("Authorization") + " "
                    + ctx.header(InternalApi.PRINCIPAL_HEADER));
            ctx.contentType("application/json").result(Json.bytes(ACCOUNT));
        });
        // passed on as the owner wrote it: the same bytes, not parsed and written again
        assertThat(forwarder.ask(owner, "/internal/accounts/acc-1", Viewer.SERVICE).get(5, TimeUnit.SECONDS))
                .hasValueSatisfying(json -> assertThat(json).isEqualTo(Json.bytes(ACCOUNT)));
        forwarder.ask(owner, "/internal/accounts/acc-1/history?limit=5", 
                new Viewer("alice", false)).get(5, TimeUnit.SECONDS);
        assertThat(asked).containsExactly("/internal/accounts/acc-1?forwarded=true Bearer " + TOKEN + " null",
                "/internal/accounts/acc-1/history?limit=5&forwarded=true Bearer " + TOKEN + " alice");
    }

    @Test
    void notFoundAtTheOwnerIsEmpty() throws Exception {
        HostInfo owner = owner(ctx -> ctx.status(404).result("{}"));
        assertThat(forwarder.ask(owner, "/internal/accounts/acc-1", Viewer.SERVICE).get(5, TimeUnit.SECONDS)).isEmpty();
    }

    @Test
    void anOwnerThatIsNotReadyIsNotReadyHere() {
        HostInfo owner = owner(ctx -> ctx.status(503).result("{}"));
        assertNotReady(forwarder.ask(owner, "/internal/accounts/acc-1", Viewer.SERVICE), "answered 503");
    }

    @Test
    void anUnreachableOwnerIsNotReady() throws IOException {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        assertNotReady(forwarder.ask(new HostInfo("127.0.0.1", port), "/internal/accounts/acc-1", Viewer.SERVICE),
                "did not answer");
    }

    @Test
    void anOwnerThatNeverAnswersIsNotReadyAfterTheTimeout() {
        // the owner holds the request open without a thread (an answer that never comes)
        HostInfo owner = owner(ctx -> ctx.future(CompletableFuture::new));
        long start = System.nanoTime();
        assertNotReady(forwarder.ask(owner, "/internal/accounts/acc-1", Viewer.SERVICE), "did not answer");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    private static void assertNotReady(CompletableFuture<Optional<byte[]>> answer, String reason) {
        assertThatThrownBy(() -> answer.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(NotReadyException.class).hasMessageContaining(reason);
    }

    /** A real HTTP server on a free port standing in for the owning instance; every GET goes to {@code handler}. */
    private HostInfo owner(Consumer<Context> handler) {
        Javalin owner = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.routes.get("/*", handler::accept);
        }).start("127.0.0.1", 0);
        owners.add(owner);
        return new HostInfo("127.0.0.1", owner.port());
    }
}
