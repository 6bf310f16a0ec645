package dev.bank.bench;

import dev.bank.gateway.auth.AuthConfig;
import dev.bank.gateway.auth.LocalIssuer;
import dev.bank.gateway.auth.Scope;
import dev.bank.gateway.auth.TokenVerifier;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What authentication costs the gateway per request, measured on its own (no network, one thread): {@code
 * auth-verify} checks N distinct ES256 tokens (signature, issuer, audience, times: what the first request with a
 * token pays), {@code auth-cached} checks one token N times (what every later request with it pays: the gateway
 * remembers a verified token until it expires). The tokens are minted before the clock starts.
 */
final class AuthScenarios {
    private final int n;

    AuthScenarios(BenchConfig config) {
        this.n = config.restN();
    }

    ScenarioResult verify() {
        LocalIssuer issuer = issuer();
        TokenVerifier verifier = new TokenVerifier(AuthConfig.fromEnv(Map.of()).withPublicKeyFile(issuer.publicKeyFile()));
        List<String> tokens = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            tokens.add(issuer.token("bench-" + i, List.of(Scope.READ, Scope.WRITE), Duration.ofHours(1)));
        }
        return time(Scenario.AUTH_VERIFY, verifier, tokens);
    }

    ScenarioResult cached() {
        LocalIssuer issuer = issuer();
        TokenVerifier verifier = new TokenVerifier(AuthConfig.fromEnv(Map.of()).withPublicKeyFile(issuer.publicKeyFile()));
        String token = issuer.token("bench", List.of(Scope.READ, Scope.WRITE), Duration.ofHours(1));
        verifier.verify(token); // the first request verifies; the rest find it
        List<String> tokens = new ArrayList<>(n);
        for (int i = 0; i < n; i++) tokens.add(new String(token)); // a new String per request, as from a header
        return time(Scenario.AUTH_CACHED, verifier, tokens);
    }

    private static LocalIssuer issuer() {
        try {
            Path dir = Files.createTempDirectory("bench-auth");
            dir.toFile().deleteOnExit();
            return LocalIssuer.ephemeral(dir.resolve("public-key.jwk"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private ScenarioResult time(Scenario scenario, TokenVerifier verifier, List<String> tokens) {
        Latencies latencies = new Latencies();
        List<String> failures = new ArrayList<>();
        long cpu0 = CpuClock.processNanos();
        long t0 = System.nanoTime();
        for (String token : tokens) {
            long start = System.nanoTime();
            if (verifier.verify(token) == null) failures.add("no principal");
            latencies.recordNanos(System.nanoTime() - start);
        }
        long elapsed = System.nanoTime() - t0;
        long cpu = CpuClock.between(cpu0, CpuClock.processNanos());
        return ScenarioResult.of(scenario, tokens.size(), null, null, elapsed, cpu, tokens.size(), latencies, 0,
                failures);
    }
}
