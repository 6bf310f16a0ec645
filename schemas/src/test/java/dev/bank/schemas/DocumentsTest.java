package dev.bank.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The public form of events: money in major units to the currency's digits, times as instants, the wire names. */
class DocumentsTest {
    private static JsonNode json(Object document) throws Exception {
        return Json.MAPPER.readTree(Json.MAPPER.writeValueAsBytes(document));
    }

    @Test
    void aPostingEventShowsTheBalanceAfterItAndThePostingInMajorUnits() throws Exception {
        var entry = new LedgerEntry("alice", "tx-2", EntryType.DEBIT, 20_000, "EUR", 100_000, 80_000, 2,
                1_764_324_000_000L, null, null, null, "alice");
        var event = new AccountEvent("alice", 3, AccountEventType.POSTING_CREATED, 1_764_324_000_000L, "EUR",
                80_000, 75_000, 5_000, "alice", entry, null, null);
        JsonNode doc = json(Documents.event(event));
        assertThat(doc.get("eventId").asText()).isEqualTo("alice:3");
        assertThat(doc.get("type").asText()).isEqualTo("posting.created");
        assertThat(doc.get("timestamp").asText()).isEqualTo("2025-11-28T10:00:00Z");
        assertThat(doc.get("balance").decimalValue()).isEqualByComparingTo("800.00");
        assertThat(doc.get("balance").toString()).isEqualTo("800.00");
        assertThat(doc.get("available").toString()).isEqualTo("750.00");
        assertThat(doc.get("held").toString()).isEqualTo("50.00");
        assertThat(doc.get("posting").get("amount").toString()).isEqualTo("-200.00");
        assertThat(doc.get("posting").get("sequence").asLong()).as("the ledger's own sequence").isEqualTo(2);
        assertThat(doc.has("owner")).as("who owns it is not the subscriber's business").isFalse();
        assertThat(doc.has("hold")).isFalse();
    }

    @Test
    void aHoldEventAndAStatementEventSayWhatChangedAndWhereToLook() throws Exception {
        Hold hold = new Hold("h-1", "yen", 1_000, 400, "JPY", "hotel", HoldStatus.VOIDED, null, 1L, 2L);
        var voided = new AccountEvent("yen", 9, AccountEventType.HOLD_VOIDED, 2L, "JPY", 5_000, 5_000, 0, null,
                null, new HoldEvent("yen", "h-1", HoldEvent.Type.VOIDED, 600, "v-1", 2L, hold), null);
        JsonNode doc = json(Documents.event(voided));
        assertThat(doc.get("type").asText()).isEqualTo("hold.voided");
        assertThat(doc.get("balance").toString()).as("yen have no minor unit").isEqualTo("5000");
        assertThat(doc.get("hold").get("change").asText()).isEqualTo("VOIDED");
        assertThat(doc.get("hold").get("amount").toString()).isEqualTo("600");
        assertThat(doc.get("hold").get("hold").get("remaining").toString()).isEqualTo("0");
        var ready = new AccountEvent("yen", 10, AccountEventType.STATEMENT_READY, 3L, "JPY", 5_000, 5_000, 0, null,
                null, null, "2026-11");
        JsonNode statement = json(Documents.event(ready)).get("statement");
        assertThat(statement.get("month").asText()).isEqualTo("2026-11");
        assertThat(statement.get("url").asText()).isEqualTo("/accounts/yen/statements/2026-11");
    }

    @Test
    void everyTypeHasAWireNameThatReadsBack() {
        for (AccountEventType type : AccountEventType.values()) {
            assertThat(AccountEventType.fromWire(type.wireName())).isEqualTo(type);
        }
        for (HoldEvent.Type change : HoldEvent.Type.values()) {
            assertThat(AccountEventType.of(change).wireName()).isEqualTo("hold." + change.name().toLowerCase());
        }
    }
}
