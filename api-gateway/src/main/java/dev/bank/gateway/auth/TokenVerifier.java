package dev.bank.gateway.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.ConfigurableJWTProcessor;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.bank.schemas.Ids;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.MalformedURLException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Verifies bearer tokens (JWTs) with nimbus-jose-jwt: the signature against the issuer's keys, with an accepted
 * asymmetric algorithm only ({@link AuthConfig#algorithms()}); {@code iss} and {@code aud} exactly; {@code exp} and
 * {@code nbf} within the clock skew; a {@code sub} that can be a principal. A verified token is remembered until it
 * expires (five minutes at most), so a client that sends the same token on every request pays for the signature
 * once: the token is immutable, and nothing about it can change before then but the issuer's keys.
 */
public final class TokenVerifier {
    /** The longest a verified token is trusted without verifying it again. */
    static final Duration CACHE_AT_MOST = Duration.ofMinutes(5);
    private static final long CACHED_TOKENS = 100_000;
    /** A JWT of ours is well under this; anything longer is refused before it is parsed. */
    static final int MAX_TOKEN_CHARS = 8 * 1024;

    /** A verified token: who it stands for, and until when ({@code exp}). */
    public record Verified(Principal principal, Instant expires) {}

    private final ConfigurableJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final Cache<String, Verified> verified;

    public TokenVerifier(AuthConfig config) {
        JWKSource<SecurityContext> keys = keys(config);
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(config.algorithms(), keys));
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(config.audience(),
                new JWTClaimsSet.Builder().issuer(config.issuer()).build(), Set.of("sub", "exp"));
        claims.setMaxClockSkew((int) config.clockSkew().toSeconds());
        processor.setJWTClaimsSetVerifier(claims);
        this.verified = Caffeine.newBuilder().maximumSize(CACHED_TOKENS).expireAfter(new Expiry<String, Verified>() {
            @Override
            public long expireAfterCreate(String token, Verified v, long now) {
                long untilExpiry = Duration.between(Instant.now(), v.expires()).toNanos();
                return Math.max(0, Math.min(untilExpiry, CACHE_AT_MOST.toNanos()));
            }

            @Override
            public long expireAfterUpdate(String token, Verified v, long now, long current) {
                return current;
            }

            @Override
            public long expireAfterRead(String token, Verified v, long now, long current) {
                return current;
            }
        }).build();
    }

    /** The principal a token stands for; {@link InvalidTokenException} saying why when it cannot be accepted. */
    public Principal verify(String token) {
        return check(token).principal();
    }

    /**
     * The principal a token stands for and when the token expires (a live stream ends then);
     * {@link InvalidTokenException} saying why when it cannot be accepted.
     */
    public Verified check(String token) {
        if (token == null || token.isEmpty()) throw new InvalidTokenException("no token");
        if (token.length() > MAX_TOKEN_CHARS) throw new InvalidTokenException("the token is too long");
        Verified known = verified.getIfPresent(token);
        if (known != null && known.expires().isAfter(Instant.now())) return known;
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (ParseException e) {
            throw new InvalidTokenException("the token is not a well-formed signed JWT");
        } catch (BadJOSEException e) {
            throw new InvalidTokenException(e.getMessage());
        } catch (JOSEException e) {
            throw new InvalidTokenException("the token's signature cannot be checked: " + e.getMessage());
        }
        String subject = claims.getSubject();
        if (!Ids.validPrincipal(subject)) throw new InvalidTokenException("the token's sub " + Ids.PRINCIPAL_RULE);
        Principal principal = new Principal(subject, scopes(claims));
        Date expires = claims.getExpirationTime();
        Verified result = new Verified(principal, expires.toInstant());
        verified.put(token, result);
        return result;
    }

    /** The bank's scopes a token grants: {@code scope} (a space-separated string, RFC 8693) or {@code scp} (a list). */
    static Set<Scope> scopes(JWTClaimsSet claims) {
        List<String> granted = new ArrayList<>();
        Object scope = claims.getClaim("scope");
        if (scope instanceof String s) granted.addAll(List.of(s.trim().split("\\s+")));
        Object scp = claims.getClaim("scp");
        if (scp instanceof List<?> list) list.forEach(v -> granted.add(String.valueOf(v)));
        else if (scp instanceof String s) granted.addAll(List.of(s.trim().split("\\s+")));
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        for (Scope known : Scope.values()) {
            if (granted.contains(known.value())) scopes.add(known);
        }
        return scopes;
    }

    private static JWKSource<SecurityContext> keys(AuthConfig config) {
        if (config.jwksUrl() != null) {
            try {
                // cached; a token signed with a key not in the cached set makes it fetch the set again (rate limited)
                return JWKSourceBuilder.create(new URI(config.jwksUrl()).toURL()).build();
            } catch (URISyntaxException | MalformedURLException | IllegalArgumentException e) {
                throw new IllegalArgumentException("BANK_JWT_JWKS_URL is not a URL: " + config.jwksUrl(), e);
            }
        }
        if (config.publicKeyFile() == null) {
            throw new IllegalArgumentException("no key to verify tokens with: set BANK_JWT_JWKS_URL (the issuer's JWK "
                    + "set) or BANK_JWT_PUBLIC_KEY_FILE (a JWK, JWK set or PEM public key)");
        }
        try {
            String text = Files.readString(config.publicKeyFile(), StandardCharsets.UTF_8).trim();
            JWKSet set;
            if (text.startsWith("-----BEGIN")) set = new JWKSet(JWK.parseFromPEMEncodedObjects(text));
            else if (text.contains("\"keys\"")) set = JWKSet.parse(text);
            else set = new JWKSet(JWK.parse(text));
            return new ImmutableJWKSet<>(set.toPublicJWKSet());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read BANK_JWT_PUBLIC_KEY_FILE " + config.publicKeyFile(), e);
        } catch (ParseException | JOSEException e) {
            throw new IllegalArgumentException("BANK_JWT_PUBLIC_KEY_FILE " + config.publicKeyFile()
                    + " holds no public key nimbus can read: " + e.getMessage(), e);
        }
    }
}
