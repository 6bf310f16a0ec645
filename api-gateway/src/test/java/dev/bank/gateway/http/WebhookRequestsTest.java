package dev.bank.gateway.http;

import dev.bank.schemas.AccountEventType;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Subscription bodies: any body is a subscription or a field-by-field 400, never anything else. */
class WebhookRequestsTest {

    @Provide
    Arbitrary<String> bodies() {
        Arbitrary<String> field = Arbitraries.of("url", "eventTypes", "accountIds", "secret", "description", "since",
                "eventType", "owner");
        Arbitrary<String> value = Arbitraries.oneOf(
                Arbitraries.of("\"https://hooks.example.com/x\"", "\"http://localhost/\"", "\"https://u:p@h.example/\"",
                        "[\"posting.created\"]", "[\"nope\"]", "[]", "[1,2]", "[\"acc-1\",\"acc 2\"]", "null", "1e999",
                        "\"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\"", "\"whsec_\"", "{}", "true", "\"\\u0000\"",
                        "\"\\ud800\"", "\"2026-01-01T00:00:00Z\""),
                Arbitraries.strings().ofMaxLength(300).map(s -> "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"")
                        .chars().mapToObj(c -> c < 0x20 ? String.format("\\u%04x", c) : String.valueOf((char) c))
                        .collect(Collectors.joining()) + "\""));
        Arbitrary<String> object = Combinators.combine(field, value).as((f, v) -> "\"" + f + "\":" + v).list()
                .ofMaxSize(8).map(m -> m.stream().collect(Collectors.joining(",", "{", "}")));
        return Arbitraries.oneOf(object, object.map(o -> o + o), Arbitraries.of("", "[]", "null", "{", "\"x\"",
                "[".repeat(50)), Arbitraries.strings().ofMaxLength(100));
    }

    @Property(tries = 1000)
    void anyBodyIsASubscriptionOrAFieldByField400(@ForAll("bodies") String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        try {
            WebhookRequests.Create asked = WebhookRequests.create(bytes);
            assertThat(asked.url()).startsWith("http");
            assertThat(WebhookRequests.validSecret(asked.secret())).isTrue();
        } catch (InvalidRequestException e) {
            assertThat(e.errors()).isNotEmpty();
        }
        try {
            WebhookRequests.replaySince(bytes, Instant.parse("2026-11-28T10:00:00Z"));
        } catch (InvalidRequestException e) {
            assertThat(e.errors()).isNotEmpty();
        }
    }

    @Property(tries = 200)
    void aSecretOf24To64BytesIsTakenAndOthersAreNot(@ForAll("secretLengths") int length) {
        String secret = "whsec_" + Base64.getEncoder().encodeToString(new byte[length]);
        assertThat(WebhookRequests.validSecret(secret)).isEqualTo(length >= 24 && length <= 64);
    }

    @Provide
    Arbitrary<Integer> secretLengths() {
        return Arbitraries.integers().between(0, 100);
    }

    @Property(tries = 50)
    void generatedSecretsAndIdsAreValidAndDistinct(@ForAll("nothing") Integer ignored) {
        String a = WebhookRequests.newSecret();
        String b = WebhookRequests.newSecret();
        assertThat(WebhookRequests.validSecret(a)).isTrue();
        assertThat(a).isNotEqualTo(b);
        assertThat(dev.bank.schemas.Ids.validWebhookId(WebhookRequests.newId())).isTrue();
    }

    @Provide
    Arbitrary<Integer> nothing() {
        return Arbitraries.just(0);
    }

    @net.jqwik.api.Example
    void aFullBodyIsReadAndTypesAndAccountsAreDeduplicated() {
        var asked = WebhookRequests.create(("{\"url\":\"https://hooks.example.com/x\",\"eventTypes\":[\"hold.placed\","
                + "\"hold.placed\",\"statement.ready\"],\"accountIds\":[\"a\",\"a\",\"b\"],\"description\":\"Miete März 😀\"}")
                .getBytes(StandardCharsets.UTF_8));
        assertThat(asked.eventTypes()).containsExactly(AccountEventType.HOLD_PLACED, AccountEventType.STATEMENT_READY);
        assertThat(asked.accountIds()).containsExactly("a", "b");
        assertThat(asked.description()).isEqualTo("Miete März 😀");
        assertThatThrownBy(() -> WebhookRequests.create("{\"url\":\"https://h.example/\",\"accountIds\":[".concat(
                List.of("\"a\"").stream().collect(Collectors.joining()) + ",\"b\"" .repeat(100) + "]}")
                .getBytes(StandardCharsets.UTF_8))).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("at most 100");
    }
}
