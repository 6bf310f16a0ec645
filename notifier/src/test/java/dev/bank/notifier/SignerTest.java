package dev.bank.notifier;

import com.standardwebhooks.Webhook;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Signatures as Standard Webhooks defines them: the specification's published test vector reproduced exactly, and
 * every signature accepted by the reference Java library (com.standardwebhooks), an implementation independent of ours.
 */
class SignerTest {
    private static final String SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    @Test
    void reproducesTheSpecificationsTestVector() {
        String signature = new Signer(SPEC_SECRET).sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330L,
                "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8));
        assertThat(signature).isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    @Property(tries = 200)
    void theReferenceLibraryVerifiesWhatWeSign(@ForAll @StringLength(max = 2000) String body,
                                               @ForAll @StringLength(min = 1, max = 80) String idSuffix) throws Exception {
        String id = "acc-" + idSuffix.replaceAll("[^A-Za-z0-9]", "x") + ":7";
        long now = Instant.now().getEpochSecond();
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String signature = new Signer(SPEC_SECRET).sign(id, now, bytes);
        new Webhook(SPEC_SECRET).verify(new String(bytes, StandardCharsets.UTF_8), Map.of(
                "webhook-id", List.of(id), "webhook-timestamp", List.of(String.valueOf(now)),
                "webhook-signature", List.of(signature)));
    }

    @Test
    void anotherBodyIdTimestampOrSecretDoesNotVerify() throws Exception {
        long now = Instant.now().getEpochSecond();
        byte[] body = "{\"type\":\"posting.created\"}".getBytes(StandardCharsets.UTF_8);
        String signature = new Signer(SPEC_SECRET).sign("a:1", now, body);
        Webhook reference = new Webhook(SPEC_SECRET);
        assertThatThrownBy(() -> reference.verify("{\"type\":\"posting.created\" }", headers("a:1", now, signature)))
                .hasMessageContaining("signature");
        assertThatThrownBy(() -> reference.verify(new String(body, StandardCharsets.UTF_8), headers("a:2", now, signature)))
                .hasMessageContaining("signature");
        assertThatThrownBy(() -> reference.verify(new String(body, StandardCharsets.UTF_8),
                headers("a:1", now + 1, signature))).hasMessageContaining("signature");
        String other = "whsec_" + java.util.Base64.getEncoder().encodeToString(new byte[32]);
        assertThat(new Signer(other).sign("a:1", now, body)).isNotEqualTo(signature);
        assertThat(new Signer(SPEC_SECRET).toString()).doesNotContain("MfKQ");
        assertThatThrownBy(() -> new Signer("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")).isInstanceOf(IllegalArgumentException.class);
    }

    private static Map<String, List<String>> headers(String id, long timestamp, String signature) {
        return Map.of("webhook-id", List.of(id), "webhook-timestamp", List.of(String.valueOf(timestamp)),
                "webhook-signature", List.of(signature));
    }
}
