package dev.bank.notifier;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com/): {@code v1,} and the base64 of the HMAC-SHA256 of
 * {@code <webhook-id>.<webhook-timestamp>.<body>}, keyed with the secret's bytes: the base64-decoded part after
 * {@code whsec_}. A receiver verifies with any Standard Webhooks library and the secret it was given.
 */
public final class Signer {
    public static final String PREFIX = "whsec_";
    private final SecretKeySpec key;

    public Signer(String secret) {
        if (secret == null || !secret.startsWith(PREFIX)) throw new IllegalArgumentException("not a whsec_ secret");
        byte[] bytes = Base64.getDecoder().decode(secret.substring(PREFIX.length()));
        if (bytes.length == 0) throw new IllegalArgumentException("an empty secret");
        this.key = new SecretKeySpec(bytes, "HmacSHA256");
    }

    /** The {@code webhook-signature} header's value for this id, timestamp (unix seconds) and body. */
    public String sign(String id, long timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            mac.update(body);
            return "v1," + Base64.getEncoder().encodeToString(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /** Never the key. */
    @Override
    public String toString() {
        return "Signer[HmacSHA256, key ******]";
    }
}
