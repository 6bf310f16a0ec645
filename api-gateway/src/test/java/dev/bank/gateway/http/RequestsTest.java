package dev.bank.gateway.http;

import dev.bank.schemas.Command;
import dev.bank.schemas.CommandType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RequestsTest {
    private static byte[] body(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private static InvalidRequestException invalid(Runnable r) {
        try {
            r.run();
        } catch (InvalidRequestException e) {
            return e;
        }
        throw new AssertionError("expected an invalid request");
    }

    @Test
    void acceptsTheSeedsTransactionBodyWithANumberAmount() {
        Command c = Requests.transaction(body("{\"accountId\":\"acc-1\",\"amount\":200,\"type\":\"debit\"}"), null);
        assertThat(c.type()).isEqualTo(CommandType.DEBIT);
        assertThat(c.accountId()).isEqualTo("acc-1");
        assertThat(c.amount()).isEqualTo("200");
        assertThat(c.transactionId()).as("generated when absent").isNotBlank();
    }

    @Test
    void readsDecimalAmountsExactlyFromNumbersAndStrings() {
        assertThat(Requests.transaction(body("{\"accountId\":\"a\",\"amount\":12.34,\"type\":\"CREDIT\"}"), null)
                .amount()).isEqualTo("12.34");
        assertThat(Requests.transaction(body("{\"accountId\":\"a\",\"amount\":\"0.10\",\"type\":\"credit\"}"), null)
                .amount()).isEqualTo("0.10");
        assertThat(Requests.transaction(
                body("{\"accountId\":\"a\",\"amount\":0.30000000000000004,\"type\":\"credit\"}"), null).amount())
                .as("no double rounding on the way in").isEqualTo("0.30000000000000004");
    }

    @Test
    void takesTheIdempotencyKeyHeaderAsTransactionId() {
        Command c = Requests.transaction(body("{\"accountId\":\"a\",\"amount\":1,\"type\":\"credit\"}"), "key-1");
        assertThat(c.transactionId()).isEqualTo("key-1");
        Command same = Requests.transaction(
                body("{\"accountId\":\"a\",\"amount\":1,\"type\":\"credit\",\"transactionId\":\"key-1\"}"), "key-1");
        assertThat(same.transactionId()).isEqualTo("key-1");
        assertThat(invalid(() -> Requests.transaction(
                body("{\"accountId\":\"a\",\"amount\":1,\"type\":\"credit\",\"transactionId\":\"x\"}"), "key-1"))
                .errors()).containsKey("transactionId");
    }

    @Test
    void reportsEveryInvalidFieldAtOnce() {
        var e = invalid(() -> Requests.transaction(body("{\"accountId\":\"bad id!\",\"amount\":-5,\"type\":\"steal\"}"),
                null));
        assertThat(e.errors()).containsOnlyKeys("accountId", "amount", "type");
        assertThat(e.errors().get("amount")).contains("greater than zero");
    }

    @Test
    void rejectsMissingFieldsZeroAndGarbageAmounts() {
        assertThat(invalid(() -> Requests.transaction(body("{}"), null)).errors())
                .containsOnlyKeys("accountId", "amount", "type");
        assertThat(invalid(() -> Requests.transaction(body("{\"accountId\":\"a\",\"amount\":0,\"type\":\"debit\"}"),
                null)).errors()).containsKey("amount");
        assertThat(invalid(() -> Requests.transaction(
                body("{\"accountId\":\"a\",\"amount\":\"ten\",\"type\":\"debit\"}"), null)).errors()).containsKey("amount");
        assertThat(invalid(() -> Requests.transaction(
                body("{\"accountId\":\"a\",\"amount\":true,\"type\":\"debit\"}"), null)).errors()).containsKey("amount");
    }

    @Test
    void rejectsMoreDecimalsThanTheNamedCurrencyAllows() {
        var e = invalid(() -> Requests.transaction(
                body("{\"accountId\":\"a\",\"amount\":\"1.005\",\"type\":\"debit\",\"currency\":\"EUR\"}"), null));
        assertThat(e.errors().get("amount")).contains("fraction digits");
    }

    @Test
    void rejectsBodiesThatAreNotJsonObjects() {
        assertThat(invalid(() -> Requests.transaction(body("not json"), null)).errors()).containsKey("body");
        assertThat(invalid(() -> Requests.transaction(body("[1,2]"), null)).errors()).containsKey("body");
        assertThat(invalid(() -> Requests.transaction(new byte[0], null)).errors()).containsKey("body");
    }

    @Test
    void opensAnAccountWithAGeneratedIdWhenNoneIsGiven() {
        Command c = Requests.openAccount(body("{\"currency\":\"EUR\",\"initialDeposit\":\"50.00\"}"), null);
        assertThat(c.type()).isEqualTo(CommandType.OPEN_ACCOUNT);
        assertThat(c.accountId()).startsWith("acc-");
        assertThat(c.currency()).isEqualTo("EUR");
        assertThat(c.amount()).isEqualTo("50.00");
        assertThatThrownBy(() -> Requests.openAccount(body("{\"accountId\":\"a\"}"), null))
                .isInstanceOf(InvalidRequestException.class);
        assertThat(invalid(() -> Requests.openAccount(body("{\"currency\":\"XXZ\"}"), null)).errors())
                .containsKey("currency");
    }

    @Test
    void readsATransferWithItsIdReferenceAndCurrency() {
        Command c = Requests.transfer(body("""
                {"fromAccountId":"alice","toAccountId":"bob","amount":"30.00","currency":"EUR",
                 "transactionId":"tr-1","reference":"rent"}"""), null);
        assertThat(c.type()).isEqualTo(CommandType.TRANSFER);
        assertThat(c.accountId()).as("keyed by the source").isEqualTo("alice");
        assertThat(c.toAccountId()).isEqualTo("bob");
        assertThat(c.amount()).isEqualTo("30.00");
        assertThat(c.currency()).isEqualTo("EUR");
        assertThat(c.transactionId()).isEqualTo("tr-1");
        assertThat(c.reference()).isEqualTo("rent");
    }

    @Test
    void rejectsTransfersToTheSameAccountOrWithoutAccounts() {
        assertThat(invalid(() -> Requests.transfer(
                body("{\"fromAccountId\":\"a\",\"toAccountId\":\"a\",\"amount\":1}"), null)).errors())
                .containsOnlyKeys("toAccountId");
        assertThat(invalid(() -> Requests.transfer(body("{\"amount\":1}"), null)).errors())
                .containsOnlyKeys("fromAccountId", "toAccountId");
        assertThat(invalid(() -> Requests.transfer(
                body("{\"fromAccountId\":\"a\",\"toAccountId\":\"b c\",\"amount\":0}"), null)).errors())
                .containsOnlyKeys("toAccountId", "amount");
    }

    @Test
    void rejectsAReferenceThatNoUtf8StoreCouldHold() {
        // a lone surrogate (JSON lets one be escaped) would be stored as '?' and a retry would then conflict
        for (String reference : new String[] {"\\ud800", "tail\\udbff", "new\\nline"}) {
            assertThat(invalid(() -> Requests.transfer(body("{\"fromAccountId\":\"a\",\"toAccountId\":\"b\","
                    + "\"amount\":1,\"reference\":\"" + reference + "\"}"), null)).errors())
                    .as(reference).containsOnlyKeys("reference");
        }
        assertThat(Requests.transfer(body("{\"fromAccountId\":\"a\",\"toAccountId\":\"b\",\"amount\":1,"
                + "\"reference\":\"Miete \\ud83d\\ude00\"}"), null).reference()).isEqualTo("Miete 😀");
    }

    @Test
    void readsLimitsExactlyWithZeroAllowedAndAnOmittedOneAsNone() {
        Command c = Requests.limits("acc-1", body("{\"overdraftLimit\":500,\"dailyOutflowLimit\":\"0\","
                + "\"debitInterestRate\":0.125}"), "lim-1");
        assertThat(c.type()).isEqualTo(CommandType.SET_LIMITS);
        assertThat(c.accountId()).isEqualTo("acc-1");
        assertThat(c.transactionId()).isEqualTo("lim-1");
        assertThat(c.overdraftLimit()).isEqualTo("500");
        assertThat(c.dailyOutflowLimit()).isEqualTo("0");
        assertThat(c.debitInterestRate()).isEqualTo("0.125");
        Command none = Requests.limits("acc-1", body("{}"), null);
        assertThat(none.overdraftLimit()).isNull();
        assertThat(none.dailyOutflowLimit()).isNull();
        assertThat(none.debitInterestRate()).isNull();
    }

    @Test
    void refusesNegativeHugeOrMalformedLimitsFieldByField() {
        assertThat(invalid(() -> Requests.limits("acc-1", body("{\"overdraftLimit\":-1,\"dailyOutflowLimit\":\"1e9999\","
                + "\"debitInterestRate\":\"12%\"}"), null)).errors())
                .containsOnlyKeys("overdraftLimit", "dailyOutflowLimit", "debitInterestRate");
        assertThat(invalid(() -> Requests.limits("acc-1", body("{\"overdraftLimit\":1e50}"), null)).errors())
                .containsOnlyKeys("overdraftLimit");
        assertThat(invalid(() -> Requests.limits("acc-1", body("{\"overdraftLimit\":[1]}"), null)).errors())
                .containsOnlyKeys("overdraftLimit");
    }

    @Test
    void aLifecycleCommandTakesAnEmptyBodyOrOneWithItsTransactionId() {
        Command freeze = Requests.lifecycle(CommandType.FREEZE_ACCOUNT, "acc-1", new byte[0], null);
        assertThat(freeze.type()).isEqualTo(CommandType.FREEZE_ACCOUNT);
        assertThat(freeze.transactionId()).isNotBlank();
        Command close = Requests.lifecycle(CommandType.CLOSE_ACCOUNT, "acc-1", body("{\"transactionId\":\"close-1\"}"),
                null);
        assertThat(close.transactionId()).isEqualTo("close-1");
        assertThat(Requests.lifecycle(CommandType.UNFREEZE_ACCOUNT, "acc-1", null, "u-1").transactionId())
                .isEqualTo("u-1");
        assertThat(invalid(() -> Requests.lifecycle(CommandType.CLOSE_ACCOUNT, "acc-1", body("[]"), null)).errors())
                .containsOnlyKeys("body");
        assertThat(invalid(() -> Requests.lifecycle(CommandType.CLOSE_ACCOUNT, "acc-1",
                body("{\"transactionId\":\"a\"}"), "b")).errors()).containsOnlyKeys("transactionId");
    }

    @Test
    void readsAHoldWithItsIdExpiryAndReference() {
        Command c = Requests.placeHold("acc-1", body("{\"amount\":\"25.50\",\"holdId\":\"h-1\","
                + "\"expiresAt\":\"2026-12-01T12:00:00Z\",\"reference\":\"hotel\"}"), null);
        assertThat(c.type()).isEqualTo(CommandType.PLACE_HOLD);
        assertThat(c.transactionId()).isEqualTo("h-1");
        assertThat(c.amount()).isEqualTo("25.50");
        assertThat(c.expiresAt()).isEqualTo("2026-12-01T12:00:00Z");
        assertThat(c.reference()).isEqualTo("hotel");
        assertThat(Requests.placeHold("acc-1", body("{\"amount\":1,\"transactionId\":\"h-2\"}"), null).transactionId())
                .as("transactionId names the hold too").isEqualTo("h-2");
        assertThat(Requests.placeHold("acc-1", body("{\"amount\":1}"), "h-3").transactionId()).isEqualTo("h-3");
    }

    @Test
    void refusesAHoldWithoutAnAmountOrWithAnExpiryThatIsNotAnInstant() {
        assertThat(invalid(() -> Requests.placeHold("acc-1", body("{\"expiresAt\":\"tomorrow\"}"), null)).errors())
                .containsOnlyKeys("amount", "expiresAt");
        assertThat(invalid(() -> Requests.placeHold("acc-1", body("{\"amount\":1,\"expiresAt\":\"2026-12-01T12:00:00\"}"),
                null)).errors()).as("an instant needs its offset").containsOnlyKeys("expiresAt");
        assertThat(invalid(() -> Requests.placeHold("acc-1", body("{\"amount\":1,\"holdId\":\"a b\"}"), null)).errors())
                .containsOnlyKeys("holdId");
    }

    @Test
    void aCaptureTakesAnAmountOrAllThatIsLeftAndAVoidNoBody() {
        Command part = Requests.captureHold("acc-1", "h-1", body("{\"amount\":\"5\",\"transactionId\":\"c-1\"}"), null);
        assertThat(part.type()).isEqualTo(CommandType.CAPTURE_HOLD);
        assertThat(part.holdId()).isEqualTo("h-1");
        assertThat(part.amount()).isEqualTo("5");
        assertThat(part.transactionId()).isEqualTo("c-1");
        assertThat(Requests.captureHold("acc-1", "h-1", new byte[0], null).amount()).isNull();
        assertThat(invalid(() -> Requests.captureHold("acc-1", "h-1", body("{\"amount\":0}"), null)).errors())
                .containsOnlyKeys("amount");
        Command voided = Requests.voidHold("acc-1", "h-1", null, "v-1");
        assertThat(voided.type()).isEqualTo(CommandType.VOID_HOLD);
        assertThat(voided.transactionId()).isEqualTo("v-1");
    }
}
