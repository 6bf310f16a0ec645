package dev.bank.gateway.auth;

import dev.bank.observability.InternalApi;
import dev.bank.observability.Secret;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * How the REST API protects itself (docs/security.md): who may call it ({@link AuthConfig}), the credential it
 * asks the processors with, how much one principal may ask, and how much the gateway takes on at once.
 *
 * @param serviceToken    the internal query API's shared secret ({@code BANK_SERVICE_TOKEN_FILE}); required to start
 * @param ratePerSecond   requests one principal may make per second ({@code BANK_RATE_LIMIT_PER_SECOND}); beyond, 429
 * @param maxInFlight     requests the gateway holds at once ({@code BANK_MAX_IN_FLIGHT}); beyond, 503 before it
 *                        would run out of memory or time
 * @param corsOrigins     browser origins allowed to call the API ({@code BANK_CORS_ORIGINS}, comma-separated); none
 *                        by default, so no CORS headers at all
 */
public record ApiSecurity(AuthConfig auth, Secret serviceToken, int ratePerSecond, int maxInFlight,
                          List<String> corsOrigins) {
    public ApiSecurity {
        corsOrigins = List.copyOf(corsOrigins);
        if (ratePerSecond < 1) throw new IllegalArgumentException("BANK_RATE_LIMIT_PER_SECOND must be at least 1");
        if (maxInFlight < 1) throw new IllegalArgumentException("BANK_MAX_IN_FLIGHT must be at least 1");
    }

    public static ApiSecurity fromEnv(Map<String, String> env) {
        boolean tokenGiven = env.get("BANK_SERVICE_TOKEN_FILE") != null || env.get("BANK_SERVICE_TOKEN") != null;
        return new ApiSecurity(AuthConfig.fromEnv(env),
                tokenGiven ? new Secret(InternalApi.serviceToken(env)) : null,
                Integer.parseInt(env.getOrDefault("BANK_RATE_LIMIT_PER_SECOND", "1000")),
                Integer.parseInt(env.getOrDefault("BANK_MAX_IN_FLIGHT", "20000")),
                Arrays.stream(env.getOrDefault("BANK_CORS_ORIGINS", "").split(",")).map(String::trim)
                        .filter(s -> !s.isEmpty()).toList());
    }

    /** The service credential, which a running gateway cannot do without. */
    public String requireServiceToken() {
        if (serviceToken == null) InternalApi.serviceToken(Map.of()); // throws, saying what to set
        return serviceToken.value();
    }

    public ApiSecurity withServiceToken(Secret token) {
        return new ApiSecurity(auth, token, ratePerSecond, maxInFlight, corsOrigins);
    }

    /** Trusting the tokens of the issuer whose public key is in {@code file}. */
    public ApiSecurity trusting(Path file) {
        return new ApiSecurity(auth.withPublicKeyFile(file), serviceToken, ratePerSecond, maxInFlight, corsOrigins);
    }

    public ApiSecurity withRatePerSecond(int rate) {
        return new ApiSecurity(auth, serviceToken, rate, maxInFlight, corsOrigins);
    }
}
