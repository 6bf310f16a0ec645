package dev.bank.launcher;

import dev.bank.gateway.auth.LocalIssuer;
import dev.bank.gateway.auth.Scope;
import dev.bank.schemas.Ids;

import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code bank token} and {@code bank keys}: bearer tokens signed with the local key under the data directory (the
 * key {@code ./bank local} makes and its gateway trusts), for the walk-through, scripts and tests. A deployment with
 * an identity provider gets its tokens there instead.
 */
final class Tokens {
    private Tokens() {}

    /** {@code token --sub NAME [--scope "bank:read bank:write"] [--ttl PT1H]}: prints a token; the exit status. */
    static int token(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        String subject = null;
        String scope = "bank:read bank:write";
        String ttl = "1h";
        for (int i = 1; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--sub" -> subject = value;
                case "--scope" -> scope = value;
                case "--ttl" -> ttl = value;
                default -> {
                    err.println("bank token: unknown argument " + args[i]);
                    return 2;
                }
            }
            i++;
        }
        if (!Ids.validPrincipal(subject)) {
            err.println("bank token: --sub is required and " + Ids.PRINCIPAL_RULE);
            return 2;
        }
        List<Scope> scopes = new ArrayList<>();
        for (String s : (scope == null ? "" : scope).trim().split("\\s+")) {
            if (s.isEmpty()) continue;
            Scope known = null;
            for (Scope candidate : Scope.values()) if (candidate.value().equals(s)) known = candidate;
            if (known == null) {
                err.println("bank token: unknown scope " + s + " (bank:read, bank:write, bank:admin)");
                return 2;
            }
            scopes.add(known);
        }
        Duration lifetime = duration(ttl);
        if (lifetime == null) {
            err.println("bank token: --ttl is a duration such as 1h, 30m, 2d or PT1H, was " + ttl);
            return 2;
        }
        if (lifetime.isNegative() || lifetime.isZero() || lifetime.compareTo(Duration.ofDays(30)) > 0) {
            err.println("bank token: --ttl must be more than zero and at most 30 days");
            return 2;
        }
        LauncherConfig config = LauncherConfig.fromEnv(env);
        if (!Files.exists(config.dataDir().resolve("auth").resolve("signing-key.jwk"))) {
            err.println("bank token: no local signing key in " + config.dataDir().resolve("auth")
                    + "; start ./bank local once, or run ./bank keys");
            return 1;
        }
        out.println(LocalIssuer.inDirectory(config.dataDir()).token(subject, scopes, lifetime));
        return 0;
    }

    /** {@code 30s}, {@code 30m}, {@code 1h}, {@code 2d}, or an ISO-8601 duration ({@code PT1H}); null if neither. */
    static Duration duration(String text) {
        if (text == null) return null;
        java.util.regex.Matcher short_ = java.util.regex.Pattern.compile("([0-9]{1,6})([smhd])").matcher(text.trim());
        if (short_.matches()) {
            long n = Long.parseLong(short_.group(1));
            return switch (short_.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        try {
            return Duration.parse(text.trim());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** {@code keys}: makes the local signing key if missing and prints where its public half is; the exit status. */
    static int keys(Map<String, String> env, PrintStream out, PrintStream err) {
        LauncherConfig config = LauncherConfig.fromEnv(env);
        LocalIssuer issuer = LocalIssuer.inDirectory(config.dataDir());
        out.println("local signing key in " + config.dataDir().resolve("auth") + "; gateways trust it with "
                + "BANK_JWT_PUBLIC_KEY_FILE=" + issuer.publicKeyFile());
        return 0;
    }
}
