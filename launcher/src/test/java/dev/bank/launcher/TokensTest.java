package dev.bank.launcher;

import dev.bank.gateway.auth.AuthConfig;
import dev.bank.gateway.auth.Principal;
import dev.bank.gateway.auth.Scope;
import dev.bank.gateway.auth.TokenVerifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TokensTest {
    @TempDir
    Path data;

    private int run(ByteArrayOutputStream out, ByteArrayOutputStream err, String... args) {
        return Tokens.token(args, Map.of("BANK_DATA_DIR", data.toString()),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void mintsATokenTheLocalGatewayAcceptsWithTheScopesAsked() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(run(out, err, "token", "--sub", "alice")).as("no key yet: %s", err).isEqualTo(1);
        assertThat(Tokens.keys(Map.of("BANK_DATA_DIR", data.toString()), new PrintStream(new ByteArrayOutputStream()),
                System.err)).isZero();
        out.reset();
        assertThat(run(out, err, "token", "--sub", "alice", "--scope", "bank:read bank:admin", "--ttl", "1h")).isZero();
        TokenVerifier verifier = new TokenVerifier(AuthConfig.fromEnv(Map.of())
                .withPublicKeyFile(data.resolve("auth").resolve("public-key.jwk")));
        Principal alice = verifier.verify(out.toString(StandardCharsets.UTF_8).trim());
        assertThat(alice.subject()).isEqualTo("alice");
        assertThat(alice.scopes()).containsExactlyInAnyOrder(Scope.READ, Scope.ADMIN);
    }

    @Test
    void refusesWhatCannotBeAToken() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(run(out, err, "token")).isEqualTo(2);
        assertThat(run(out, err, "token", "--sub", "has space")).isEqualTo(2);
        assertThat(run(out, err, "token", "--sub", "alice", "--scope", "bank:everything")).isEqualTo(2);
        assertThat(run(out, err, "token", "--sub", "alice", "--ttl", "forever")).isEqualTo(2);
        assertThat(run(out, err, "token", "--sub", "alice", "--ttl", "400d")).isEqualTo(2);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void readsShortAndIsoDurations() {
        assertThat(Tokens.duration("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(Tokens.duration("30m")).isEqualTo(Duration.ofMinutes(30));
        assertThat(Tokens.duration("2d")).isEqualTo(Duration.ofDays(2));
        assertThat(Tokens.duration("PT90S")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Tokens.duration("1 h")).isNull();
    }
}
