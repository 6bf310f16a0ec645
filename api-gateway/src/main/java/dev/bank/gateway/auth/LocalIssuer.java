package dev.bank.gateway.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * A token issuer for a bank run on one machine ({@code ./bank local}, {@code ./bank token}, the benchmark and the
 * tests): an EC P-256 signing key kept under the data directory ({@code auth/signing-key.jwk}, readable by its owner
 * only), the public half beside it for the gateway to trust ({@code auth/public-key.jwk}), and tokens signed ES256.
 * A real deployment trusts its identity provider instead ({@code BANK_JWT_JWKS_URL}).
 */
public final class LocalIssuer {
    public static final String ISSUER = "bank-local";
    public static final String AUDIENCE = "bank-api";

    private final ECKey key;
    private final Path publicKeyFile;

    private LocalIssuer(ECKey key, Path publicKeyFile) {
        this.key = key;
        this.publicKeyFile = publicKeyFile;
    }

    /** The issuer whose key is in {@code <dir>/auth}, creating the key on first use. */
    public static LocalIssuer inDirectory(Path dataDir) {
        Path dir = dataDir.resolve("auth");
        Path privateFile = dir.resolve("signing-key.jwk");
        Path publicFile = dir.resolve("public-key.jwk");
        try {
            Files.createDirectories(dir);
            ECKey key;
            if (Files.exists(privateFile)) {
                key = ECKey.parse(Files.readString(privateFile, StandardCharsets.UTF_8));
            } else {
                key = new ECKeyGenerator(Curve.P_256).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.ES256)
                        .keyID(UUID.randomUUID().toString()).generate();
                Path tmp = Files.createTempFile(dir, "signing-key", ".tmp");
                restrict(tmp);
                Files.writeString(tmp, key.toJSONString(), StandardCharsets.UTF_8);
                Files.move(tmp, privateFile, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.writeString(publicFile, key.toPublicJWK().toJSONString(), StandardCharsets.UTF_8);
            return new LocalIssuer(key, publicFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the local signing key in " + dir, e);
        } catch (ParseException | JOSEException e) {
            throw new IllegalStateException("the local signing key in " + privateFile + " cannot be used", e);
        }
    }

    /** An issuer whose key lives only in memory, with its public key written to {@code publicKeyFile}. */
    public static LocalIssuer ephemeral(Path publicKeyFile) {
        try {
            ECKey key = new ECKeyGenerator(Curve.P_256).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.ES256)
                    .keyID(UUID.randomUUID().toString()).generate();
            Files.createDirectories(publicKeyFile.toAbsolutePath().getParent());
            Files.writeString(publicKeyFile, key.toPublicJWK().toJSONString(), StandardCharsets.UTF_8);
            return new LocalIssuer(key, publicKeyFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The id of the signing key (the {@code kid} its tokens name). */
    public String keyId() {
        return key.getKeyID();
    }

    /** The file holding the public key: what the gateway trusts ({@code BANK_JWT_PUBLIC_KEY_FILE}). */
    public Path publicKeyFile() {
        return publicKeyFile;
    }

    /** A token for {@code subject} with {@code scopes}, valid from now for {@code ttl}. */
    public String token(String subject, Collection<Scope> scopes, Duration ttl) {
        Instant now = Instant.now();
        return sign(new JWTClaimsSet.Builder()
                .issuer(ISSUER).audience(AUDIENCE).subject(subject)
                .issueTime(Date.from(now)).notBeforeTime(Date.from(now)).expirationTime(Date.from(now.plus(ttl)))
                .jwtID(UUID.randomUUID().toString())
                .claim("scope", scopes.stream().map(Scope::value).collect(Collectors.joining(" ")))
                .build());
    }

    /** Any claims, signed with this issuer's key (ES256): what the tests forge stale or misdirected tokens with. */
    public String sign(JWTClaimsSet claims) {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID())
                .type(JOSEObjectType.JWT).build(), claims);
        try {
            jwt.sign(new ECDSASigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a token", e);
        }
        return jwt.serialize();
    }

    private static void restrict(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the directory's own permissions apply
        }
    }
}
