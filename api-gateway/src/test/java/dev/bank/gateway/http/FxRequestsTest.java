package dev.bank.gateway.http;

import dev.bank.schemas.Command;
import dev.bank.schemas.FxQuote;
import dev.bank.schemas.FxRate;
import dev.bank.schemas.Json;
import dev.bank.schemas.JsonSchemas;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reading the FX requests: quotes, rates an admin publishes, and transfers naming a quote. */
class FxRequestsTest {
    private static final Instant NOW = Instant.parse("2026-11-28T10:00:00Z");
    private static final FxQuote QUOTE = new FxQuote("q-1", "EUR", "USD", "1.0832", "2026-11-28T11:00:00Z");

    private static byte[] body(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private static Map<String, String> errors(Runnable r) {
        try {
            r.run();
        } catch (InvalidRequestException e) {
            return e.errors();
        }
        throw new AssertionError("expected an invalid request");
    }

    @Test
    void aTransferNamingAQuoteCarriesItsRateInTheCommand() {
        Command c = Requests.transfer(body("{\"fromAccountId\":\"a\",\"toAccountId\":\"b\",\"amount\":\"100\","
                + "\"quoteId\":\"q-1\"}"), null, id -> {
                    assertThat(id).isEqualTo("q-1");
                    return QUOTE;
                });
        assertThat(c.fx()).isEqualTo(QUOTE);
        assertThat(JsonSchemas.violations(JsonSchemas.COMMAND, Json.MAPPER.valueToTree(c))).isEmpty();
        Command plain = Requests.transfer(body("{\"fromAccountId\":\"a\",\"toAccountId\":\"b\",\"amount\":\"1\"}"),
                null, id -> {
                    throw new AssertionError("no quote named, none looked up");
                });
        assertThat(plain.fx()).isNull();
        for (String bad : new String[] {"1", "\"\"", "\"a b\"", "{}", "\"" + "q".repeat(129) + "\""}) {
            assertThat(errors(() -> Requests.transfer(body("{\"fromAccountId\":\"a\",\"toAccountId\":\"b\","
                    + "\"amount\":\"1\",\"quoteId\":" + bad + "}"), null, id -> QUOTE))).as(bad).containsKey("quoteId");
        }
    }

    @Test
    void aRefusedQuoteIsTheLookupsProblemNotABadRequest() {
        RejectedRequestException refused = new RejectedRequestException(
                Responses.refusal(dev.bank.schemas.RejectionReason.FX_QUOTE_EXPIRED, "quote q-1 was valid until ..."));
        assertThatThrownBy(() -> Requests.transfer(body("{\"fromAccountId\":\"a\",\"toAccountId\":\"b\","
                + "\"amount\":\"1\",\"quoteId\":\"q-1\"}"), null, id -> {
                    throw refused;
                })).isSameAs(refused);
        assertThat(refused.problem().status()).isEqualTo(422);
        assertThat(refused.problem().reason()).isEqualTo("FX_QUOTE_EXPIRED");
    }

    @Test
    void readsAQuoteRequest() {
        Requests.QuoteRequest q = Requests.quote(body("{\"from\":\"EUR\",\"to\":\"JPY\",\"amount\":12.5}"));
        assertThat(q).isEqualTo(new Requests.QuoteRequest("EUR", "JPY", "12.5"));
        assertThat(errors(() -> Requests.quote(body("{\"from\":\"EUR\",\"to\":\"EUR\"}")))).containsKey("to");
        assertThat(errors(() -> Requests.quote(body("{\"from\":\"eur\",\"to\":\"XXY\"}"))))
                .containsKeys("from", "to");
        assertThat(errors(() -> Requests.quote(body("{\"from\":\"EUR\",\"to\":\"USD\",\"amount\":\"1.001\"}"))))
                .as("too many decimals for EUR: refused, not rounded").containsKey("amount");
        assertThat(errors(() -> Requests.quote(body("{\"to\":\"USD\"}")))).containsKey("from");
    }

    @Test
    void readsARateValidForADurationOrUntilAnInstant() {
        FxRate forAnHour = Requests.rate(body("{\"base\":\"EUR\",\"quote\":\"USD\",\"rate\":\"1.0832\","
                + "\"validFor\":\"PT1H\",\"rateId\":\"desk-1\"}"), NOW);
        assertThat(forAnHour).isEqualTo(new FxRate("desk-1", "EUR", "USD", "1.0832", null, "2026-11-28T11:00:00Z"));
        assertThat(JsonSchemas.violations(JsonSchemas.FX_RATE, Json.MAPPER.valueToTree(forAnHour))).isEmpty();
        FxRate until = Requests.rate(body("{\"base\":\"EUR\",\"quote\":\"USD\",\"rate\":1.5,"
                + "\"validUntil\":\"2026-11-28T12:00:00+01:00\"}"), NOW);
        assertThat(until.validUntil()).isEqualTo("2026-11-28T11:00:00Z");
        assertThat(until.rate()).as("a JSON number is read exactly").isEqualTo("1.5");
        assertThat(until.rateId()).as("generated").startsWith("rate-");
    }

    @Test
    void refusesRatesThatAreNotRates() {
        String pair = "\"base\":\"EUR\",\"quote\":\"USD\",";
        assertThat(errors(() -> Requests.rate(body("{" + pair + "\"rate\":\"0\",\"validFor\":\"PT1H\"}"), NOW)))
                .containsKey("rate");
        assertThat(errors(() -> Requests.rate(body("{" + pair + "\"rate\":\"-1\",\"validFor\":\"PT1H\"}"), NOW)))
                .containsKey("rate");
        assertThat(errors(() -> Requests.rate(body("{" + pair + "\"rate\":1e400,\"validFor\":\"PT1H\"}"), NOW)))
                .as("a short number that is huge written out").containsKey("rate");
        assertThat(errors(() -> Requests.rate(body("{" + pair + "\"rate\":\"1.1\"}"), NOW))).containsKey("validFor");
        assertThat(errors(() -> Requests.rate(body("{" + pair + "\"rate\":\"1.1\",\"validFor\":\"PT1H\","
                + "\"validUntil\":\"2026-11-28T12:00:00Z\"}"), NOW))).as("one of the two").containsKey("validFor");
        assertThat(errors(() -> Requests.rate(body("{" + pair + "\"rate\":\"1.1\",\"validFor\":\"P400D\"}"), NOW)))
                .containsKey("validFor");
        assertThat(errors(() -> Requests.rate(body("{" + pair + "\"rate\":\"1.1\",\"validFor\":\"-PT1H\"}"), NOW)))
                .containsKey("validFor");
        assertThat(errors(() -> Requests.rate(body("{" + pair + "\"rate\":\"1.1\",\"validFor\":\"soon\"}"), NOW)))
                .containsKey("validFor");
        assertThat(errors(() -> Requests.rate(body("{" + pair + "\"rate\":\"1.1\","
                + "\"validUntil\":\"2026-11-28T09:00:00Z\"}"), NOW))).as("in the past").containsKey("validUntil");
        assertThat(errors(() -> Requests.rate(body("{\"base\":\"EUR\",\"quote\":\"EUR\",\"rate\":\"1\","
                + "\"validFor\":\"PT1H\"}"), NOW))).containsKey("quote");
    }
}
