package dev.bank.gateway.auth;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenVerifierTest {
    @TempDir
    Path dir;

    private final ECKey key = Tokens.newKey();
    private final Tokens tokens = new Tokens(key);

    private TokenVerifier verifier() throws Exception {
        Path file = dir.resolve("public.jwk");
        Files.writeString(file, key.toPublicJWK().toJSONString());
        return new TokenVerifier(AuthConfig.fromEnv(Map.of("BANK_JWT_PUBLIC_KEY_FILE", file.toString())));
    }

    @Test
    void acceptsAGoodTokenWithItsSubjectAndScopes() throws Exception {
        Principal p = verifier().verify(tokens.good("alice", "bank:read bank:write openid"));
        assertThat(p.subject()).isEqualTo("alice");
        assertThat(p.scopes()).containsExactlyInAnyOrder(Scope.READ, Scope.WRITE);
        assertThat(p.admin()).isFalse();
        assertThat(verifier().verify(tokens.good("root", "bank:admin")).has(Scope.WRITE)).isTrue();
    }

    @Test
    void refusesEveryForgedOrStaleToken() throws Exception {
        TokenVerifier verifier = verifier();
        Map<String, BiFunction<String, String, String>> attacks = Map.of(
                "bad signature", tokens::badSignature,
                "unknown key", tokens::unknownKey,
                "expired", tokens::expired,
                "not yet valid", tokens::notYetValid,
                "wrong issuer", tokens::wrongIssuer,
                "wrong audience", tokens::wrongAudience,
                "alg none", tokens::unsigned,
                "HS256 keyed with the public key", tokens::hmacWithThePublicKey,
                "edited subject", (s, sc) -> tokens.tamperedSubject(s, sc, "bob"));
        attacks.forEach((name, forge) -> assertThatThrownBy(() -> verifier.verify(forge.apply("alice", "bank:admin")))
                .as(name).isInstanceOf(InvalidTokenException.class));
        for (String junk : new String[] {"", "abc", "a.b.c", "x".repeat(10_000), "..", "e30.e30.", "Bearer x"}) {
            assertThatThrownBy(() -> verifier.verify(junk)).as(junk).isInstanceOf(InvalidTokenException.class);
        }
        assertThatThrownBy(() -> verifier.verify(tokens.good("has space", "bank:read")))
                .isInstanceOf(InvalidTokenException.class);
    }

    @Test
    void neverRepeatsTheTokenInWhatItSays() throws Exception {
        String token = tokens.expired("alice", "bank:read");
        assertThatThrownBy(() -> verifier().verify(token)).satisfies(e -> assertThat(e.getMessage())
                .doesNotContain(token).doesNotContain(token.split("\\.")[2]));
    }

    @Test
    void fetchesTheIssuersKeysAndFetchesThemAgainForAKeyItDoesNotKnow() throws Exception {
        // Given an identity provider serving its JWK set, which rotates to a new key later
        AtomicReference<JWKSet> served = new AtomicReference<>(new JWKSet(key.toPublicJWK()));
        AtomicInteger fetches = new AtomicInteger();
        HttpServer idp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        idp.createContext("/jwks", exchange -> {
            fetches.incrementAndGet();
            byte[] body = served.get().toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        idp.start();
        try {
            TokenVerifier verifier = new TokenVerifier(AuthConfig.fromEnv(Map.of("BANK_JWT_JWKS_URL",
                    "http://127.0.0.1:" + idp.getAddress().getPort() + "/jwks")));
            // When tokens are verified, the keys are fetched once and cached
            assertThat(verifier.verify(tokens.good("alice", "bank:read")).subject()).isEqualTo("alice");
            assertThat(verifier.verify(tokens.good("bob", "bank:read")).subject()).isEqualTo("bob");
            assertThat(fetches.get()).isEqualTo(1);
            // When the issuer rotates to a new key, a token under the new key id makes the verifier fetch again
            ECKey rotated = Tokens.newKey();
            served.set(new JWKSet(java.util.List.of(key.toPublicJWK(), rotated.toPublicJWK())));
            assertThat(verifier.verify(new Tokens(rotated).good("carol", "bank:read")).subject()).isEqualTo("carol");
            assertThat(fetches.get()).isEqualTo(2);
        } finally {
            idp.stop(0);
        }
    }

    @Test
    void aLocalIssuersTokensAreAcceptedByAGatewayTrustingItsPublicKey() {
        LocalIssuer issuer = LocalIssuer.inDirectory(dir);
        TokenVerifier verifier = new TokenVerifier(AuthConfig.fromEnv(Map.of()).withPublicKeyFile(issuer.publicKeyFile()));
        Principal p = verifier.verify(issuer.token("alice", java.util.List.of(Scope.READ), Duration.ofMinutes(5)));
        assertThat(p).isEqualTo(new Principal("alice", java.util.Set.of(Scope.READ)));
        // and the key survives: a second issuer on the same directory signs with the same key
        assertThat(verifier.verify(LocalIssuer.inDirectory(dir).token("bob", java.util.List.of(), Duration.ofMinutes(1)))
                .subject()).isEqualTo("bob");
    }
}
