package dev.bank.gateway.http;

import dev.bank.schemas.Command;
import dev.bank.schemas.CommandType;
import dev.bank.schemas.EntryType;
import dev.bank.schemas.HistoryEntry;
import dev.bank.schemas.LedgerEntry;
import dev.bank.schemas.Statement;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The three statement formats carry the same figures, and opening + entries = closing in each. */
class StatementsTest {
    private static final long MARCH = Instant.parse("2025-03-01T00:00:00Z").toEpochMilli();
    /** A hold of 50.00 placed on 20 March, 20.00 of it captured, still active: a memo line, not a posting. */
    private static final dev.bank.schemas.Hold HOTEL = new dev.bank.schemas.Hold("hold-1", "alice", 5_000, 2_000,
            "EUR", "hotel", dev.bank.schemas.HoldStatus.ACTIVE, null,
            Instant.parse("2025-03-20T12:00:00Z").toEpochMilli(), null);

    private static HistoryEntry entry(long seq, String tx, EntryType type, long amount, long before, int day) {
        long ts = Instant.parse(String.format("2025-03-%02dT10:00:00Z", day)).toEpochMilli();
        return new HistoryEntry(new LedgerEntry("alice", tx, type, amount, "EUR", before,
                before + type.sign() * amount, seq, ts, null, null, type == EntryType.DEBIT ? "rent, \"march\"" : null), ts);
    }

    /** A March with a credit, a debit and interest: 800.00 + 1000.00 - 200.00 + 0.07 = 1600.07. */
    private static Statement march() {
        List<HistoryEntry> entries = List.of(
                entry(4, "tx-1", EntryType.CREDIT, 100_000, 80_000, 2),
                entry(5, "tx-2", EntryType.DEBIT, 20_000, 180_000, 15),
                entry(6, "interest:2025-03-31", EntryType.INTEREST, 7, 160_000, 31));
        return new Statement("alice", "EUR", "2025-03", "UTC", MARCH, Instant.parse("2025-04-01T00:00:00Z").toEpochMilli(),
                "0.025", 80_000, 160_007, 100_007, 20_000, 7, 0, entries, List.of(HOTEL));
    }

    @Test
    void jsonShowsOpeningEveryEntryClosingTotalsAndInterestInMajorUnits() {
        Map<String, Object> json = Statements.json(march());
        assertThat(json).containsEntry("openingBalance", new BigDecimal("800.00")).containsEntry("closingBalance", new BigDecimal("1600.07"))
                .containsEntry("totalCredits", new BigDecimal("1000.07")).containsEntry("totalDebits", new BigDecimal("200.00"))
                .containsEntry("interestPaid", new BigDecimal("0.07")).containsEntry("timeZone", "UTC")
                .containsEntry("interestCharged", new BigDecimal("0.00"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> holds = (List<Map<String, Object>>) json.get("holds");
        assertThat(holds).singleElement().satisfies(h -> assertThat(h).containsEntry("holdId", "hold-1")
                .containsEntry("amount", new BigDecimal("50.00")).containsEntry("remaining", new BigDecimal("30.00")));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> entries = (List<Map<String, Object>>) json.get("entries");
        assertThat(entries).extracting(e -> e.get("amount")).containsExactly(new BigDecimal("1000.00"), new BigDecimal("-200.00"), new BigDecimal("0.07"));
        BigDecimal sum = new BigDecimal("800.00");
        for (Map<String, Object> e : entries) sum = sum.add((BigDecimal) e.get("amount"));
        assertThat(sum).isEqualByComparingTo("1600.07");
    }

    @Test
    void csvHasOneRowPerFigureQuotesTextAndAddsUp() {
        String csv = Statements.csv(march());
        List<String> rows = List.of(csv.split("\r\n"));
        assertThat(rows.get(0))
                .isEqualTo("record,date,transactionId,type,amount,balance,counterpartyAccountId,reference,principal");
        assertThat(rows.get(1)).isEqualTo("OPENING,2025-03-01,,,,800.00,,,");
        assertThat(rows.get(3)).isEqualTo("ENTRY,2025-03-15,tx-2,DEBIT,-200.00,1600.00,,\"rent, \"\"march\"\"\",");
        assertThat(rows.get(5)).isEqualTo("CLOSING,2025-03-31,,,,1600.07,,,");
        assertThat(rows.subList(6, 11)).containsExactly("TOTAL_CREDITS,2025-03-31,,,1000.07,,,,",
                "TOTAL_DEBITS,2025-03-31,,,-200.00,,,,", "INTEREST_PAID,2025-03-31,,,0.07,,,,",
                "INTEREST_CHARGED,2025-03-31,,,0.00,,,,", "HOLD,2025-03-20,hold-1,ACTIVE,50.00,,,hotel,");
    }

    @Test
    void pdfReadsBackWithEveryFigure() throws Exception {
        byte[] pdf = Statements.pdf(march());
        assertThat(new String(pdf, 0, 5)).isEqualTo("%PDF-");
        String text;
        try (PDDocument document = Loader.loadPDF(pdf)) {
            text = new PDFTextStripper().getText(document);
        }
        assertThat(text).contains("Statement 2025-03 - account alice", "annual interest rate 2.5%",
                "Opening balance: 800.00", "tx-1", "1000.00", "tx-2", "-200.00", "interest:2025-03-31", "0.07",
                "Closing balance: 1600.07", "Total credits: 1000.07", "Total debits: 200.00", "Interest paid: 0.07",
                "Interest charged: 0.00", "Holds (memo", "hold-1", "left 30.00");
    }

    @Test
    void pdfOfALongMonthRunsOverSeveralPages() throws Exception {
        List<HistoryEntry> entries = new ArrayList<>();
        for (int i = 1; i <= 150; i++) entries.add(entry(i, "tx-" + i, EntryType.CREDIT, 100, (i - 1) * 100L, 1 + i % 28));
        Statement big = new Statement("bob", "EUR", "2025-03", "UTC", MARCH, MARCH + 1, "0", 0, 15_000, 15_000, 0, 0, 0,
                entries, List.of());
        try (PDDocument document = Loader.loadPDF(Statements.pdf(big))) {
            assertThat(document.getNumberOfPages()).isGreaterThan(1);
            assertThat(new PDFTextStripper().getText(document)).contains("tx-150", "Closing balance: 150.00");
        }
    }

    @Test
    void negotiatesTheFormatFromTheParameterFirstThenTheAcceptHeader() {
        assertThat(Statements.negotiate("pdf", "text/csv")).isEqualTo("application/pdf");
        assertThat(Statements.negotiate(null, "text/csv")).isEqualTo("text/csv");
        assertThat(Statements.negotiate(null, "application/pdf, */*")).isEqualTo("application/pdf");
        assertThat(Statements.negotiate(null, null)).isEqualTo("application/json");
        assertThatThrownBy(() -> Statements.negotiate("xml", null)).isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void readsInterestRatesExactlyFromRequests() {
        Command set = Requests.interestRate("alice", "{\"interestRate\":0.0250}".getBytes(), "rate-1");
        assertThat(set.type()).isEqualTo(CommandType.SET_INTEREST_RATE);
        assertThat(set.interestRate()).isEqualTo("0.025");
        assertThat(Requests.openAccount("{\"currency\":\"EUR\",\"interestRate\":\"0.01\"}".getBytes(), null)
                .interestRate()).isEqualTo("0.01");
        assertThatThrownBy(() -> Requests.interestRate("alice", "{\"interestRate\":\"25\"}".getBytes(), null))
                .isInstanceOf(InvalidRequestException.class)
                .satisfies(e -> assertThat(((InvalidRequestException) e).errors()).containsKey("interestRate"));
        assertThatThrownBy(() -> Requests.interestRate("alice", "{}".getBytes(), null))
                .isInstanceOf(InvalidRequestException.class);
    }
}
