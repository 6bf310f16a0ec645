package dev.bank.gateway.auth;

import com.nimbusds.jose.JWSAlgorithm;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How the gateway verifies bearer tokens, from the environment (docs/security.md). Tokens are JWTs signed by an
 * issuer the bank trusts: their keys come from a JWKS URL ({@code BANK_JWT_JWKS_URL}, cached, fetched again when a
 * token names an unknown key) or a file ({@code BANK_JWT_PUBLIC_KEY_FILE}: a JWK, a JWK set or a PEM public key).
 * There is no setting that turns authentication off.
 *
 * @param algorithms the signature algorithms accepted: asymmetric only (RSA, RSA-PSS, ECDSA, EdDSA), never
 *                   {@code none} and never an HMAC, whose key would be the public key (the RS/HS confusion)
 * @param clockSkew  how far {@code exp} and {@code nbf} may be off the gateway's clock
 * @param metricsPublic whether {@code /metrics} answers without a token (for a Prometheus on the private network)
 */
public record AuthConfig(String jwksUrl, Path publicKeyFile, String issuer, String audience,
                         Set<JWSAlgorithm> algorithms, Duration clockSkew, boolean metricsPublic) {

    public static final Set<JWSAlgorithm> ASYMMETRIC = Set.copyOf(List.of(
            JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
            JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512, JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519));

    public AuthConfig {
        algorithms = Set.copyOf(algorithms);
        for (JWSAlgorithm a : algorithms) {
            if (!ASYMMETRIC.contains(a)) {
                throw new IllegalArgumentException("BANK_JWT_ALGORITHMS: " + a + " is not an asymmetric signature "
                        + "algorithm; accepted: " + ASYMMETRIC);
            }
        }
    }

    public static AuthConfig fromEnv(Map<String, String> env) {
        String algorithms = env.getOrDefault("BANK_JWT_ALGORITHMS", "RS256,RS384,RS512,PS256,PS384,PS512,ES256,ES384,ES512,EdDSA");
        String keyFile = blankToNull(env.get("BANK_JWT_PUBLIC_KEY_FILE"));
        return new AuthConfig(blankToNull(env.get("BANK_JWT_JWKS_URL")), keyFile == null ? null : Path.of(keyFile),
                env.getOrDefault("BANK_JWT_ISSUER", "bank-local"), env.getOrDefault("BANK_JWT_AUDIENCE", "bank-api"),
                Arrays.stream(algorithms.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                        .map(JWSAlgorithm::parse).collect(Collectors.toSet()),
                Duration.parse(env.getOrDefault("BANK_JWT_CLOCK_SKEW", "PT60S")),
                Boolean.parseBoolean(env.getOrDefault("BANK_METRICS_PUBLIC", "true")));
    }

    /** The same settings, trusting the key in {@code file} (what {@code ./bank local} does with its own key). */
    public AuthConfig withPublicKeyFile(Path file) {
        return new AuthConfig(null, file, issuer, audience, algorithms, clockSkew, metricsPublic);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
