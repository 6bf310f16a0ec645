package dev.bank.gateway.http;

import dev.bank.schemas.Command;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/** Bodies that could be read two ways, and numbers that are short to send and huge to write out, on every route. */
class HostileRequestsTest {
    private static final Map<String, Function<byte[], Command>> ROUTES = Map.of(
            "POST /accounts", body -> Requests.openAccount(body, null),
            "POST /transaction", body -> Requests.transaction(body, null),
            "POST /transfers", body -> Requests.transfer(body, null),
            "PUT /accounts/{accountId}/interest-rate", body -> Requests.interestRate("acc-1", body, null),
            "PUT /accounts/{accountId}/limits", body -> Requests.limits("acc-1", body, null),
            "POST /accounts/{accountId}/close",
            body -> Requests.lifecycle(dev.bank.schemas.CommandType.CLOSE_ACCOUNT, "acc-1", body, null),
            "POST /accounts/{accountId}/holds", body -> Requests.placeHold("acc-1", body, null),
            "POST /accounts/{accountId}/holds/{holdId}/capture", body -> Requests.captureHold("acc-1", "h-1", body, null));

    private static Map<String, String> errors(Function<byte[], Command> route, String body) {
        try {
            route.apply(body.getBytes(StandardCharsets.UTF_8));
        } catch (InvalidRequestException e) {
            return e.errors();
        }
        throw new AssertionError("expected " + body + " to be refused");
    }

    @Test
    void aFieldTwiceIsRefusedAndNamed() {
        for (String field : List.of("amount", "accountId", "interestRate", "currency")) {
            ROUTES.forEach((route, build) -> assertThat(errors(build, "{\"" + field + "\":1,\"" + field + "\":500}")
                    .get("body")).as(route).contains("Duplicate field '" + field + "'", "once"));
        }
    }

    @Test
    void dataAfterTheObjectIsRefusedAndSaid() {
        String one = "{\"accountId\":\"a\",\"fromAccountId\":\"a\",\"toAccountId\":\"b\",\"amount\":1,\"type\":\"credit\","
                + "\"currency\":\"EUR\",\"interestRate\":\"0.01\"}";
        ROUTES.forEach((route, build) -> {
            build.apply(one.getBytes(StandardCharsets.UTF_8));
            assertThat(errors(build, one + " " + one).get("body")).as(route).contains("more after the JSON object");
            assertThat(errors(build, one + "x").get("body")).as(route).startsWith("is not valid JSON");
        });
    }

    @Test
    void deepNestingAndLongNumbersAreRefusedAndSaid() {
        ROUTES.forEach((route, build) -> {
            assertThat(errors(build, "{\"a\":" + "[".repeat(100) + "]".repeat(100) + "}").get("body"))
                    .as(route).contains("nests deeper");
            assertThat(errors(build, "{\"amount\":" + "1".repeat(200) + "}").get("body"))
                    .as(route).contains("number longer");
        });
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.SECONDS)
    void hugeExponentsAreRefusedAtOnce() {
        for (String number : List.of("1e10000000", "1E+999999999", "1e-999999999", "-1e10000000",
                "\"" + "9".repeat(100_000) + "\"")) {
            String body = "{\"accountId\":\"a\",\"fromAccountId\":\"a\",\"toAccountId\":\"b\",\"type\":\"credit\","
                    + "\"currency\":\"EUR\",\"amount\":" + number + ",\"initialDeposit\":" + number
                    + ",\"interestRate\":" + number + ",\"overdraftLimit\":" + number + ",\"transactionId\":" + number + "}";
            ROUTES.forEach((route, build) -> assertThat(errors(build, body).keySet()).as(route)
                    .containsAnyOf("amount", "initialDeposit", "interestRate", "overdraftLimit", "transactionId"));
        }
    }

    @Test
    void theLongestAmountTheSchemaTakesIsTaken() {
        String longest = "1".repeat(37) + ".00";
        assertThat(Requests.transaction(("{\"accountId\":\"a\",\"type\":\"credit\",\"amount\":\"" + longest + "\"}")
                .getBytes(StandardCharsets.UTF_8), null).amount()).isEqualTo(longest);
        assertThat(errors(ROUTES.get("POST /transaction"), "{\"accountId\":\"a\",\"type\":\"credit\",\"amount\":\"1"
                + longest + "\"}")).containsKey("amount");
        assertThat(errors(ROUTES.get("POST /transaction"), "{\"accountId\":\"a\",\"type\":\"credit\",\"amount\":1e40}"))
                .containsKey("amount");
        assertThat(Requests.transaction("{\"accountId\":\"a\",\"type\":\"credit\",\"amount\":1e39}"
                .getBytes(StandardCharsets.UTF_8), null).amount()).isEqualTo("1" + "0".repeat(39));
    }
}
