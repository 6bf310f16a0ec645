package dev.bank.gateway.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;

/**
 * Tokens as an attacker would forge them, beside good ones: every way a bearer token can be wrong, for the tests of
 * the gateway's authentication (here, and the route-by-route security test).
 */
public final class Tokens {
    public final ECKey key;
    public final RSAKey otherKey;
    private final java.util.function.Function<JWTClaimsSet, String> signer;
    /** The trusted key's id and public JWK, as an attacker can read them. */
    private final String keyId;
    private final String publicJwk;

    public Tokens(ECKey key) {
        this(key, null, key.getKeyID(), key.toPublicJWK().toJSONString());
    }

    /** Tokens signed by a {@link LocalIssuer} (whose key stays inside it). */
    public Tokens(LocalIssuer issuer) {
        this(newKey(), issuer::sign, issuer.keyId(), read(issuer.publicKeyFile()));
    }

    private static String read(java.nio.file.Path file) {
        try {
            return java.nio.file.Files.readString(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Tokens(ECKey key, java.util.function.Function<JWTClaimsSet, String> signer, String keyId,
                   String publicJwk) {
        this.key = key;
        this.signer = signer;
        this.keyId = keyId;
        this.publicJwk = publicJwk;
        try {
            this.otherKey = new RSAKeyGenerator(2048).keyID("attacker").generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ECKey newKey() {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID(UUID.randomUUID().toString()).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public static JWTClaimsSet.Builder claims(String subject, String scope) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().issuer(LocalIssuer.ISSUER).audience(LocalIssuer.AUDIENCE).subject(subject)
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plus(Duration.ofMinutes(10))))
                .claim("scope", scope);
    }

    public String sign(JWTClaimsSet claims) {
        if (signer != null) return signer.apply(claims);
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID())
                    .type(JOSEObjectType.JWT).build(), claims);
            jwt.sign(new ECDSASigner(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public String good(String subject, String scope) {
        return sign(claims(subject, scope).build());
    }

    /** Signed with the attacker's own key, under the right key id. */
    public String badSignature(String subject, String scope) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(keyId).build(),
                    claims(subject, scope).build());
            jwt.sign(new RSASSASigner(otherKey));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Signed by a key the bank has never seen (an unknown kid). */
    public String unknownKey(String subject, String scope) {
        return new Tokens(newKey()).good(subject, scope);
    }

    public String expired(String subject, String scope) {
        Instant past = Instant.now().minus(Duration.ofHours(1));
        return sign(claims(subject, scope).issueTime(Date.from(past.minusSeconds(60)))
                .expirationTime(Date.from(past)).build());
    }

    public String notYetValid(String subject, String scope) {
        return sign(claims(subject, scope).notBeforeTime(Date.from(Instant.now().plus(Duration.ofHours(1)))).build());
    }

    public String wrongIssuer(String subject, String scope) {
        return sign(claims(subject, scope).issuer("https://evil.example").build());
    }

    public String wrongAudience(String subject, String scope) {
        return sign(claims(subject, scope).audience("another-api").build());
    }

    /** {@code alg: none}: no signature at all. */
    public String unsigned(String subject, String scope) {
        return new PlainJWT(claims(subject, scope).build()).serialize();
    }

    /** HS256 keyed with the public key's bytes: the RS/HS confusion attack. */
    public String hmacWithThePublicKey(String subject, String scope) {
        try {
            byte[] secret = publicJwk.getBytes(StandardCharsets.UTF_8);
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(keyId).build(),
                    claims(subject, scope).build());
            jwt.sign(new MACSigner(secret.length >= 32 ? secret : new byte[32]));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A good token whose payload was edited afterwards (another subject), keeping the original signature. */
    public String tamperedSubject(String subject, String scope, String newSubject) {
        String[] parts = good(subject, scope).split("\\.");
        String payload = new String(Base64URL.from(parts[1]).decode(), StandardCharsets.UTF_8)
                .replace("\"" + subject + "\"", "\"" + newSubject + "\"");
        return parts[0] + "." + Base64URL.encode(payload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
    }
}
