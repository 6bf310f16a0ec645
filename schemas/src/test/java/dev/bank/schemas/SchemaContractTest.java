package dev.bank.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Every record the code writes must validate against the published schema, and broken documents must not. */
class SchemaContractTest {

    private static JsonNode asJson(Object record) {
        return Json.MAPPER.valueToTree(record);
    }

    private static JsonNode parse(String json) throws Exception {
        return Json.MAPPER.readTree(json);
    }

    @Test
    void commandsWrittenByTheCodeValidate() {
        assertThat(JsonSchemas.violations(JsonSchemas.COMMAND, asJson(Command.open("t-1", "acc-1", "EUR", "10.00"))))
                .isEmpty();
        assertThat(JsonSchemas.violations(JsonSchemas.COMMAND, asJson(Command.open("t-2", "acc-1", "JPY", null))))
                .isEmpty();
        assertThat(JsonSchemas.violations(JsonSchemas.COMMAND, asJson(Command.credit("t-3", "acc-1", "1000"))))
                .isEmpty();
        assertThat(JsonSchemas.violations(JsonSchemas.COMMAND, asJson(Command.debit("t-4", "acc-1", "200.5"))))
                .isEmpty();
    }

    @Test
    void invalidCommandsAreRefused() throws Exception {
        assertThat(JsonSchemas.violations(JsonSchemas.COMMAND,
                parse("{\"type\":\"CREDIT\",\"transactionId\":\"t\",\"accountId\":\"a\"}")))
                .as("credit without amount").isNotEmpty();
        assertThat(JsonSchemas.violations(JsonSchemas.COMMAND,
                parse("{\"type\":\"OPEN_ACCOUNT\",\"transactionId\":\"t\",\"accountId\":\"a\"}")))
                .as("open without currency").isNotEmpty();
        assertThat(JsonSchemas.violations(JsonSchemas.COMMAND,
                parse("{\"type\":\"DEBIT\",\"transactionId\":\"t\",\"accountId\":\"a\",\"amount\":\"-5\"}")))
                .as("negative amount").isNotEmpty();
        assertThat(JsonSchemas.violations(JsonSchemas.COMMAND,
                parse("{\"type\":\"TRANSFER_ALL\",\"transactionId\":\"t\",\"accountId\":\"a\",\"amount\":\"5\"}")))
                .as("unknown type").isNotEmpty();
        assertThat(JsonSchemas.violations(JsonSchemas.COMMAND,
                parse("{\"type\":\"CREDIT\",\"accountId\":\"a\",\"amount\":\"5\"}")))
                .as("missing transactionId").isNotEmpty();
    }

    @Test
    void aReferenceIsUnicodeTextWithoutControlCharactersOrLoneSurrogates() throws Exception {
        String transfer = "{\"type\":\"TRANSFER\",\"transactionId\":\"t\",\"accountId\":\"a\",\"amount\":\"5\","
                + "\"toAccountId\":\"b\",\"reference\":%s}";
        assertThat(JsonSchemas.violations(JsonSchemas.COMMAND, parse(transfer.formatted("\"Miete März 😀 €\""))))
                .as("letters, a surrogate pair, symbols").isEmpty();
        for (String bad : List.of("\"\\ud800\"", "\"x\\udc00y\"", "\"\\ud83d\"", "\"line\\nbreak\"", "\"\\u0000\"",
                "\"del\\u007f\"")) {
            assertThat(JsonSchemas.violations(JsonSchemas.COMMAND, parse(transfer.formatted(bad))))
                    .as("reference %s", bad).isNotEmpty();
        }
    }

    @Test
    void outcomesWrittenByTheCodeValidate() {
        var accepted = new Outcome("t-1", "acc-1", CommandType.CREDIT, OutcomeStatus.ACCEPTED, null, null,
                100_000L, 100_000L, "EUR", 1, false, 1_700_000_000_000L);
        var rejected = new Outcome("t-2", "acc-1", CommandType.DEBIT, OutcomeStatus.REJECTED,
                RejectionReason.INSUFFICIENT_FUNDS, "balance 800.00 EUR is less than 900.00", 90_000L, 80_000L,
                "EUR", 2, false, 1_700_000_000_000L);
        var unknown = new Outcome("t-3", "nope", CommandType.DEBIT, OutcomeStatus.REJECTED,
                RejectionReason.ACCOUNT_NOT_FOUND, "account nope does not exist", null, null, null, 0, false, 1L);
        assertThat(JsonSchemas.violations(JsonSchemas.OUTCOME, asJson(accepted))).isEmpty();
        assertThat(JsonSchemas.violations(JsonSchemas.OUTCOME, asJson(rejected))).isEmpty();
        assertThat(JsonSchemas.violations(JsonSchemas.OUTCOME, asJson(unknown))).isEmpty();
    }

    @Test
    void invalidOutcomesAreRefused() throws Exception {
        assertThat(JsonSchemas.violations(JsonSchemas.OUTCOME, parse("""
                {"transactionId":"t","accountId":"a","type":"DEBIT","status":"REJECTED",
                 "sequence":0,"replayed":false,"timestamp":1}""")))
                .as("rejection without reason").isNotEmpty();
        assertThat(JsonSchemas.violations(JsonSchemas.OUTCOME, parse("""
                {"transactionId":"t","accountId":"a","type":"DEBIT","status":"ACCEPTED",
                 "sequence":1,"replayed":false,"timestamp":1}""")))
                .as("acceptance without balance").isNotEmpty();
    }

    @Test
    void ledgerEntriesWrittenByTheCodeValidate() throws Exception {
        var entry = new LedgerEntry("acc-1", "t-1", EntryType.DEBIT, 20_000, "EUR", 100_000, 80_000, 3, 1L);
        assertThat(JsonSchemas.violations(JsonSchemas.LEDGER_ENTRY, asJson(entry))).isEmpty();
        assertThat(JsonSchemas.violations(JsonSchemas.LEDGER_ENTRY, parse("""
                {"accountId":"a","transactionId":"t","type":"DEBIT","amountMinor":0,"currency":"EUR",
                 "balanceBeforeMinor":0,"balanceAfterMinor":0,"sequence":1,"timestamp":1}""")))
                .as("zero amount").isNotEmpty();
        assertThat(JsonSchemas.violations(JsonSchemas.LEDGER_ENTRY, parse("""
                {"accountId":"a","transactionId":"t","type":"DEBIT","amountMinor":1.5,"currency":"EUR",
                 "balanceBeforeMinor":0,"balanceAfterMinor":0,"sequence":1,"timestamp":1}""")))
                .as("fractional minor units").isNotEmpty();
    }

    @Test
    void accountsWrittenByTheCodeValidate() throws Exception {
        var account = new Account("acc-1", "EUR", AccountStatus.OPEN, 80_000, 3, 1L);
        assertThat(JsonSchemas.violations(JsonSchemas.ACCOUNT, asJson(account))).isEmpty();
        assertThat(JsonSchemas.violations(JsonSchemas.ACCOUNT, parse("{\"accountId\":\"a\",\"currency\":\"euro\"}")))
                .isNotEmpty();
    }

    @Test
    void serdeRoundTripsEveryRecordAndWrapsGarbage() {
        var serde = JsonSerde.of(Command.class);
        var command = Command.debit("t-1", "acc-1", "12.34");
        assertThat(serde.deserialize("t", serde.serialize("t", command))).isEqualTo(command);
        assertThat(serde.serialize("t", null)).isNull();
        assertThat(serde.deserialize("t", null)).isNull();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> serde.deserialize("t", "{not json".getBytes()))
                .isInstanceOf(org.apache.kafka.common.errors.SerializationException.class)
                .hasMessageContaining("Command");
    }

    @Test
    void transferRecordsWrittenByTheCodeValidate() {
        assertThat(JsonSchemas.violations(JsonSchemas.COMMAND,
                asJson(Command.transfer("tr-1", "acc-1", "acc-2", "25.00", "invoice 7")))).isEmpty();
        var leg = new TransferLeg(LegType.CREDIT, "tr-1", "acc-1", "acc-2", 2_500, "EUR", "invoice 7", null, null);
        assertThat(JsonSchemas.violations(JsonSchemas.TRANSFER_LEG, asJson(leg))).isEmpty();
        assertThat(JsonSchemas.violations(JsonSchemas.TRANSFER_LEG, asJson(leg.answer(LegType.REFUND,
                RejectionReason.ACCOUNT_NOT_FOUND, "account acc-2 does not exist")))).isEmpty();
        var out = new LedgerEntry("acc-1", "tr-1", EntryType.TRANSFER_OUT, 2_500, "EUR", 10_000, 7_500, 4, 1L,
                "tr-1", "acc-2", "invoice 7");
        assertThat(JsonSchemas.violations(JsonSchemas.LEDGER_ENTRY, asJson(out))).isEmpty();
        var transfer = new Transfer("tr-1", Transfer.Direction.OUT, "acc-1", "acc-2", 2_500, "EUR", null,
                TransferStatus.PENDING, null, null, 1L, null);
        assertThat(JsonSchemas.violations(JsonSchemas.TRANSFER, asJson(transfer))).isEmpty();
        var pending = new Outcome("tr-1", "acc-1", CommandType.TRANSFER, OutcomeStatus.PENDING, null, null, 2_500L,
                7_500L, "EUR", 4, true, 1L, "acc-2", TransferStatus.PENDING);
        assertThat(JsonSchemas.violations(JsonSchemas.OUTCOME, asJson(pending))).isEmpty();
    }

    @Test
    void holdRecordsWrittenByTheCodeValidate() {
        assertThat(JsonSchemas.violations(JsonSchemas.COMMAND,
                asJson(Command.placeHold("h-1", "acc-1", "25.00", "2026-12-01T12:00:00Z", "hotel")))).isEmpty();
        assertThat(JsonSchemas.violations(JsonSchemas.COMMAND,
                asJson(Command.placeHold("h-1", "acc-1", "25.00", "2026-12-01T13:00:00.5+01:00", null)))).isEmpty();
        assertThat(JsonSchemas.violations(JsonSchemas.COMMAND, asJson(Command.captureHold("c-1", "acc-1", "h-1", null))))
                .isEmpty();
        assertThat(JsonSchemas.violations(JsonSchemas.COMMAND, asJson(Command.voidHold("v-1", "acc-1", "h-1"))))
                .isEmpty();
        Hold hold = new Hold("h-1", "acc-1", 2_500, 1_000, "EUR", "hotel", HoldStatus.ACTIVE, 5L, 1L, null);
        assertThat(JsonSchemas.violations(JsonSchemas.HOLD, asJson(hold))).isEmpty();
        assertThat(JsonSchemas.violations(JsonSchemas.HOLD, asJson(hold.captured(1_500, 3L)))).isEmpty();
        var captured = new Outcome("c-1", "acc-1", CommandType.CAPTURE_HOLD, OutcomeStatus.ACCEPTED, null, null, 1_500L,
                7_500L, "EUR", 4, false, 1L).about(hold.captured(1_500, 3L), 7_500);
        assertThat(JsonSchemas.violations(JsonSchemas.OUTCOME, asJson(captured))).isEmpty();
        var entry = new LedgerEntry("acc-1", "c-1", EntryType.HOLD_CAPTURE, 1_500, "EUR", 9_000, 7_500, 4, 1L, null,
                null, "hotel");
        assertThat(JsonSchemas.violations(JsonSchemas.LEDGER_ENTRY, asJson(entry))).isEmpty();
    }

    @Test
    void holdEventsValidateAndCarryTheHoldSchemaInline() throws Exception {
        Hold hold = new Hold("h-1", "acc-1", 2_500, 1_000, "EUR", null, HoldStatus.ACTIVE, null, 1L, null);
        var event = new HoldEvent("acc-1", "h-1", HoldEvent.Type.CAPTURED, 1_000, "c-1", 2L, hold);
        assertThat(JsonSchemas.violations(JsonSchemas.HOLD_EVENT, asJson(event))).isEmpty();
        assertThat(JsonSchemas.violations(JsonSchemas.HOLD_EVENT, asJson(new HoldEvent("acc-1", "h-1",
                HoldEvent.Type.EXPIRED, 1_500, null, 3L, hold.ended(HoldStatus.EXPIRED, 3L))))).isEmpty();
        var inline = (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(
                JsonSchemas.class.getResourceAsStream("/schemas/hold-event.schema.json")).get("properties").get("hold");
        var own = (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(
                JsonSchemas.class.getResourceAsStream("/schemas/hold.schema.json"));
        for (String meta : new String[] {"$schema", "$id", "title", "description"}) {
            inline.remove(meta);
            own.remove(meta);
        }
        assertThat(inline).isEqualTo(own);
    }

    @Test
    void accountEventsValidateWithTheirPartsAgainstTheirOwnSchemas() throws Exception {
        Hold hold = new Hold("h-1", "acc-1", 2_500, 1_000, "EUR", null, HoldStatus.ACTIVE, null, 1L, null);
        var change = new HoldEvent("acc-1", "h-1", HoldEvent.Type.PLACED, 2_500, "h-1", 2L, hold);
        var entry = new LedgerEntry("acc-1", "c-1", EntryType.CREDIT, 1_500, "EUR", 0, 1_500, 1, 1L);
        var posting = new AccountEvent("acc-1", 1, AccountEventType.POSTING_CREATED, 1L, "EUR", 1_500, 1_500, 0,
                "alice", entry, null, null);
        var placed = new AccountEvent("acc-1", 2, AccountEventType.HOLD_PLACED, 2L, "EUR", 1_500, -1_000, 2_500,
                null, null, change, null);
        var statement = new AccountEvent("acc-1", 3, AccountEventType.STATEMENT_READY, 3L, "EUR", 1_500, -1_000,
                2_500, "alice", null, null, "2026-11");
        for (AccountEvent e : new AccountEvent[] {posting, placed, statement}) {
            assertThat(JsonSchemas.violations(JsonSchemas.ACCOUNT_EVENT, asJson(e))).as(e.type().wireName()).isEmpty();
            assertThat(Json.MAPPER.readValue(Json.MAPPER.writeValueAsBytes(e), AccountEvent.class)).isEqualTo(e);
        }
        assertThat(JsonSchemas.violations(JsonSchemas.LEDGER_ENTRY, asJson(posting).get("posting"))).isEmpty();
        assertThat(JsonSchemas.violations(JsonSchemas.HOLD_EVENT, asJson(placed).get("hold"))).isEmpty();
        assertThat(asJson(posting).get("type").asText()).isEqualTo("posting.created");
        for (String doc : new String[] {
                "{\"accountId\":\"a\",\"sequence\":1,\"type\":\"posting.created\",\"timestamp\":1,\"currency\":\"EUR\",\"balanceMinor\":1,\"availableMinor\":1,\"heldMinor\":0}",
                "{\"accountId\":\"a\",\"sequence\":0,\"type\":\"statement.ready\",\"timestamp\":1,\"currency\":\"EUR\",\"balanceMinor\":1,\"availableMinor\":1,\"heldMinor\":0,\"statementMonth\":\"2026-11\"}",
                "{\"accountId\":\"a\",\"sequence\":1,\"type\":\"statement.ready\",\"timestamp\":1,\"currency\":\"EUR\",\"balanceMinor\":1,\"availableMinor\":1,\"heldMinor\":0,\"statementMonth\":\"2026-13\"}",
                "{\"accountId\":\"a\",\"sequence\":1,\"type\":\"balance.changed\",\"timestamp\":1,\"currency\":\"EUR\",\"balanceMinor\":1,\"availableMinor\":1,\"heldMinor\":0}"}) {
            assertThat(JsonSchemas.violations(JsonSchemas.ACCOUNT_EVENT, Json.MAPPER.readTree(doc))).as(doc).isNotEmpty();
        }
    }

    @Test
    void invalidHoldCommandsAreRefused() throws Exception {
        for (String doc : new String[] {
                "{\"type\":\"PLACE_HOLD\",\"transactionId\":\"h\",\"accountId\":\"a\"}",
                "{\"type\":\"CAPTURE_HOLD\",\"transactionId\":\"c\",\"accountId\":\"a\",\"amount\":\"1\"}",
                "{\"type\":\"VOID_HOLD\",\"transactionId\":\"v\",\"accountId\":\"a\",\"holdId\":\"h h\"}",
                "{\"type\":\"PLACE_HOLD\",\"transactionId\":\"h\",\"accountId\":\"a\",\"amount\":\"1\",\"expiresAt\":\"tomorrow\"}",
                "{\"type\":\"PLACE_HOLD\",\"transactionId\":\"h\",\"accountId\":\"a\",\"amount\":\"1\",\"expiresAt\":\"2026-12-01T12:00:00\"}"}) {
            assertThat(JsonSchemas.violations(JsonSchemas.COMMAND, Json.MAPPER.readTree(doc))).as(doc).isNotEmpty();
        }
    }

    @Test
    void invalidTransferDocumentsAreRefused() throws Exception {
        assertThat(JsonSchemas.violations(JsonSchemas.COMMAND, parse("""
                {"type":"TRANSFER","transactionId":"t","accountId":"a","amount":"5"}"""))).as("no destination").isNotEmpty();
        assertThat(JsonSchemas.violations(JsonSchemas.TRANSFER_LEG, parse("""
                {"type":"REFUND","transferId":"t","fromAccountId":"a","toAccountId":"b","amountMinor":5,"currency":"EUR"}""")))
                .as("refund without reason").isNotEmpty();
        assertThat(JsonSchemas.violations(JsonSchemas.LEDGER_ENTRY, parse("""
                {"accountId":"a","transactionId":"t","type":"TRANSFER_IN","amountMinor":5,"currency":"EUR",
                 "balanceBeforeMinor":0,"balanceAfterMinor":5,"sequence":1,"timestamp":1}""")))
                .as("transfer entry without transferId").isNotEmpty();
    }
    @Test
    void interestRecordsWrittenByTheCodeValidate() {
        assertThat(JsonSchemas.violations(JsonSchemas.COMMAND,
                asJson(Command.open("t-1", "acc-1", "EUR", null, "0.025")))).isEmpty();
        assertThat(JsonSchemas.violations(JsonSchemas.COMMAND,
                asJson(Command.setInterestRate("t-2", "acc-1", "0")))).isEmpty();
        var account = new Account("acc-1", "EUR", AccountStatus.OPEN, 80_000, 3, 1L, "0.025", "-0.4109589041",
                java.time.LocalDate.of(2025, 3, 1));
        assertThat(JsonSchemas.violations(JsonSchemas.ACCOUNT, asJson(account))).isEmpty();
        var interest = new LedgerEntry("acc-1", "interest:2025-03-01", EntryType.INTEREST, 5, "EUR", 80_000,
                80_005, 4, 1L);
        assertThat(JsonSchemas.violations(JsonSchemas.LEDGER_ENTRY, asJson(interest))).isEmpty();
        assertThat(JsonSchemas.violations(JsonSchemas.HISTORY_ENTRY, asJson(new HistoryEntry(interest, 2L)))).isEmpty();
        var rateSet = new Outcome("t-2", "acc-1", CommandType.SET_INTEREST_RATE, OutcomeStatus.ACCEPTED, null, null,
                0L, 80_000L, "EUR", 3, false, 1L, null, null, "0.03");
        assertThat(JsonSchemas.violations(JsonSchemas.OUTCOME, asJson(rateSet))).isEmpty();
    }

    @Test
    void rateChangeWithoutARateOrWithANegativeRateIsRefused() throws Exception {
        assertThat(JsonSchemas.violations(JsonSchemas.COMMAND, parse("""
                {"type":"SET_INTEREST_RATE","transactionId":"t","accountId":"a"}"""))).as("no rate").isNotEmpty();
        assertThat(JsonSchemas.violations(JsonSchemas.COMMAND, parse("""
                {"type":"SET_INTEREST_RATE","transactionId":"t","accountId":"a","interestRate":"-0.01"}""")))
                .as("negative rate").isNotEmpty();
    }

    @Test
    void interestRatesAreReadExactlyAndAbsurdOnesRefused() {
        assertThat(InterestRates.canonical("0.0250")).isEqualTo("0.025");
        assertThat(InterestRates.canonical("0")).isEqualTo("0");
        assertThat(InterestRates.parse("0.00000001")).isEqualByComparingTo("0.00000001");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> InterestRates.parse("2.5"))
                .isInstanceOf(Money.InvalidAmountException.class).hasMessageContaining("above 1");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> InterestRates.parse("-0.01"))
                .isInstanceOf(Money.InvalidAmountException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> InterestRates.parse("0.000000001"))
                .isInstanceOf(Money.InvalidAmountException.class).hasMessageContaining("fraction digits");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> InterestRates.parse("1e-2"))
                .isInstanceOf(Money.InvalidAmountException.class);
    }

    @Test
    void interestIsExternalMoneySoConservationChecksCountIt() {
        assertThat(EntryType.INTEREST.external()).isTrue();
        assertThat(EntryType.INTEREST.sign()).isEqualTo(1);
    }

    @Test
    void webhookRecordsWrittenByTheCodeValidateAndBrokenOnesDoNot() throws Exception {
        var subscription = new WebhookSubscription("wh_abc123", "alice", false, "https://hooks.example.com/bank",
                List.of(AccountEventType.POSTING_CREATED, AccountEventType.STATEMENT_READY), List.of("acc-1"),
                "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "ledger sync", 1L);
        var everything = new WebhookSubscription("wh_all", "admin", true, "http://localhost:9000/h", null, null,
                "whsec_" + java.util.Base64.getEncoder().encodeToString(new byte[64]), null, 2L);
        for (WebhookSubscription s : List.of(subscription, everything)) {
            assertThat(JsonSchemas.violations(JsonSchemas.WEBHOOK_SUBSCRIPTION, asJson(s))).as(s.id()).isEmpty();
            assertThat(Json.MAPPER.readValue(Json.MAPPER.writeValueAsBytes(s), WebhookSubscription.class)).isEqualTo(s);
        }
        assertThat(asJson(subscription).get("eventTypes").get(0).asText()).isEqualTo("posting.created");
        assertThat(subscription.toString()).as("a subscription may be logged").doesNotContain("whsec_", "MfKQ9");
        var tokenInUrl = new WebhookSubscription("wh_t", "alice", false, "https://h.example/x?token=s3cr3t", null, null,
                "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", null, 1L);
        assertThat(tokenInUrl.loggableUrl()).isEqualTo("https://h.example/x?…");
        assertThat(tokenInUrl.toString()).doesNotContain("s3cr3t");
        assertThat(asJson(subscription.withoutSecret()).has("secret")).isFalse();
        var entry = new LedgerEntry("acc-1", "c-1", EntryType.CREDIT, 1_500, "EUR", 0, 1_500, 1, 1L);
        var event = new AccountEvent("acc-1", 1, AccountEventType.POSTING_CREATED, 1L, "EUR", 1_500, 1_500, 0,
                "alice", entry, null, null);
        var dead = new WebhookDeadLetter("wh_abc123", event, 12, 503, "HTTP 503", 1L, 2L);
        var timedOut = new WebhookDeadLetter("wh_abc123", event, 3, null, "timed out after PT10S", 1L, 2L);
        for (WebhookDeadLetter d : List.of(dead, timedOut)) {
            assertThat(JsonSchemas.violations(JsonSchemas.WEBHOOK_DEAD_LETTER, asJson(d))).isEmpty();
            assertThat(JsonSchemas.violations(JsonSchemas.ACCOUNT_EVENT, asJson(d).get("event"))).isEmpty();
            assertThat(Json.MAPPER.readValue(Json.MAPPER.writeValueAsBytes(d), WebhookDeadLetter.class)).isEqualTo(d);
        }
        var replay = new WebhookReplay("rp-1", "wh_abc123", 5L, "alice", 6L);
        assertThat(JsonSchemas.violations(JsonSchemas.WEBHOOK_REPLAY, asJson(replay))).isEmpty();
        assertThat(JsonSchemas.violations(JsonSchemas.WEBHOOK_REPLAY,
                asJson(new WebhookReplay("rp-2", "wh_abc123", null, "alice", 6L)))).isEmpty();
        for (String doc : new String[] {
                "{\"id\":\"abc\",\"owner\":\"a\",\"admin\":false,\"url\":\"https://h.example/x\",\"eventTypes\":[],\"accountIds\":[],\"secret\":\"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\",\"createdAt\":1}",
                "{\"id\":\"wh_a\",\"owner\":\"a\",\"admin\":false,\"url\":\"ftp://h.example/x\",\"eventTypes\":[],\"accountIds\":[],\"secret\":\"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\",\"createdAt\":1}",
                "{\"id\":\"wh_a\",\"owner\":\"a\",\"admin\":false,\"url\":\"https://h.example/x\",\"eventTypes\":[\"balance.changed\"],\"accountIds\":[],\"secret\":\"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\",\"createdAt\":1}",
                "{\"id\":\"wh_a\",\"owner\":\"a\",\"admin\":false,\"url\":\"https://h.example/x\",\"eventTypes\":[],\"accountIds\":[],\"secret\":\"s3cret\",\"createdAt\":1}",
                "{\"id\":\"wh_a\",\"owner\":\"a\",\"admin\":false,\"url\":\"https://h.example/x\",\"eventTypes\":[],\"accountIds\":[],\"createdAt\":1}"}) {
            assertThat(JsonSchemas.violations(JsonSchemas.WEBHOOK_SUBSCRIPTION, Json.MAPPER.readTree(doc))).as(doc)
                    .isNotEmpty();
        }
        assertThat(JsonSchemas.violations(JsonSchemas.WEBHOOK_DEAD_LETTER, Json.MAPPER.readTree(
                "{\"subscriptionId\":\"wh_a\",\"attempts\":0,\"lastError\":\"x\",\"firstAttemptAt\":1,\"failedAt\":1}")))
                .as("no event, no attempt").isNotEmpty();
        assertThat(JsonSchemas.violations(JsonSchemas.WEBHOOK_REPLAY, Json.MAPPER.readTree(
                "{\"replayId\":\"r\",\"subscriptionId\":\"wh_a\",\"since\":-1,\"requestedBy\":\"a\",\"requestedAt\":1}")))
                .as("a negative since").isNotEmpty();
    }

    @Test
    void aSubscriptionWantsItsOwnersAccountsEventsOfItsTypesAndAnAdminsAnyAccounts() {
        var entry = new LedgerEntry("acc-1", "c-1", EntryType.CREDIT, 1_500, "EUR", 0, 1_500, 1, 1L);
        var alices = new AccountEvent("acc-1", 1, AccountEventType.POSTING_CREATED, 1L, "EUR", 1_500, 1_500, 0,
                "alice", entry, null, null);
        var bobs = new AccountEvent("acc-2", 1, AccountEventType.STATEMENT_READY, 1L, "EUR", 0, 0, 0, "bob", null,
                null, "2026-11");
        var ownerless = new AccountEvent("acc-3", 1, AccountEventType.STATEMENT_READY, 1L, "EUR", 0, 0, 0, null, null,
                null, "2026-11");
        String secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        var alice = new WebhookSubscription("wh_1", "alice", false, "https://h.example/x", null, null, secret, null, 0);
        assertThat(alice.wants(alices)).isTrue();
        assertThat(alice.wants(bobs)).as("another owner's account").isFalse();
        assertThat(alice.wants(ownerless)).isFalse();
        var aliceNamingBobsAccount = new WebhookSubscription("wh_2", "alice", false, "https://h.example/x", null,
                List.of("acc-2"), secret, null, 0);
        assertThat(aliceNamingBobsAccount.wants(bobs)).as("naming an account does not make it hers").isFalse();
        var statementsOnly = new WebhookSubscription("wh_3", "bob", false, "https://h.example/x",
                List.of(AccountEventType.STATEMENT_READY), null, secret, null, 0);
        assertThat(statementsOnly.wants(bobs)).isTrue();
        var admin = new WebhookSubscription("wh_4", "ops", true, "https://h.example/x", null, null, secret, null, 0);
        assertThat(List.of(alices, bobs, ownerless)).allMatch(admin::wants);
        var adminOneAccount = new WebhookSubscription("wh_5", "ops", true, "https://h.example/x", null,
                List.of("acc-3"), secret, null, 0);
        assertThat(adminOneAccount.wants(ownerless)).isTrue();
        assertThat(adminOneAccount.wants(alices)).isFalse();
    }
}
