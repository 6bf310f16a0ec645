package dev.bank.gateway.http;

import dev.bank.schemas.Documents;
import dev.bank.schemas.HistoryEntry;
import dev.bank.schemas.Hold;
import dev.bank.schemas.LedgerEntry;
import dev.bank.schemas.Money;
import dev.bank.schemas.Problem;
import dev.bank.schemas.Statement;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A month's statement in the three formats the REST API serves: JSON, CSV (RFC 4180) and PDF (Apache PDFBox).
 * All three carry the same figures: opening balance, every entry with the balance after it, closing balance,
 * total credits and debits, and the interest paid. Amounts are major units with the currency's scale, converted
 * from minor units exactly; dates are shown in the statement's business time zone.
 */
public final class Statements {
    public static final String CSV = "text/csv";
    public static final String PDF = "application/pdf";
    static final List<String> CSV_HEADER = List.of("record", "date", "transactionId", "type", "amount", "balance",
            "counterpartyAccountId", "reference", "principal");

    private Statements() {}

    /** One posting as the API shows it (history pages and statements alike). */
    static Map<String, Object> entry(HistoryEntry h, Currency currency) {
        return Documents.posting(h.entry(), h.valueTimestamp());
    }

    public static Map<String, Object> json(Statement s) {
        Currency currency = Currency.getInstance(s.currency());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("accountId", s.accountId());
        body.put("currency", s.currency());
        body.put("month", s.month());
        body.put("timeZone", s.zone());
        body.put("from", Instant.ofEpochMilli(s.from()).toString());
        body.put("to", Instant.ofEpochMilli(s.to()).toString());
        body.put("interestRate", s.interestRate());
        body.put("openingBalance", Money.major(s.openingBalanceMinor(), currency));
        body.put("entries", s.entries().stream().map(h -> entry(h, currency)).toList());
        body.put("closingBalance", Money.major(s.closingBalanceMinor(), currency));
        body.put("totalCredits", Money.major(s.totalCreditsMinor(), currency));
        body.put("totalDebits", Money.major(s.totalDebitsMinor(), currency));
        body.put("interestPaid", Money.major(s.interestPaidMinor(), currency));
        body.put("interestCharged", Money.major(s.interestChargedMinor(), currency));
        body.put("holds", s.holds().stream().map(Documents::hold).toList());
        return body;
    }

    /**
     * One row per figure: {@code OPENING}, one {@code ENTRY} per posting (signed amount, balance after), then
     * {@code CLOSING}, {@code TOTAL_CREDITS}, {@code TOTAL_DEBITS}, {@code INTEREST_PAID} and
     * {@code INTEREST_CHARGED}, and a {@code HOLD} memo row per hold active in the month (the date it was placed, its
     * id, its state, its amount and what is left of it as the balance column is not: holds are not postings).
     */
    public static String csv(Statement s) {
        Currency currency = Currency.getInstance(s.currency());
        ZoneId zone = ZoneId.of(s.zone());
        StringBuilder out = new StringBuilder();
        row(out, CSV_HEADER);
        String first = Instant.ofEpochMilli(s.from()).atZone(zone).toLocalDate().toString();
        String last = Instant.ofEpochMilli(s.to() - 1).atZone(zone).toLocalDate().toString();
        row(out, List.of("OPENING", first, "", "", "", Money.toMajor(s.openingBalanceMinor(), currency), "", "", ""));
        for (HistoryEntry h : s.entries()) {
            LedgerEntry e = h.entry();
            row(out, List.of("ENTRY", date(h.valueTimestamp(), zone), e.transactionId(), e.type().name(),
                    Money.toMajor(e.type().sign() * e.amountMinor(), currency),
                    Money.toMajor(e.balanceAfterMinor(), currency),
                    e.counterpartyAccountId() == null ? "" : e.counterpartyAccountId(),
                    e.reference() == null ? "" : e.reference(),
                    e.principal() == null ? "" : e.principal()));
        }
        row(out, List.of("CLOSING", last, "", "", "", Money.toMajor(s.closingBalanceMinor(), currency), "", "", ""));
        row(out, List.of("TOTAL_CREDITS", last, "", "", Money.toMajor(s.totalCreditsMinor(), currency), "", "", "", ""));
        row(out, List.of("TOTAL_DEBITS", last, "", "", Money.toMajor(-s.totalDebitsMinor(), currency), "", "", "", ""));
        row(out, List.of("INTEREST_PAID", last, "", "", Money.toMajor(s.interestPaidMinor(), currency), "", "", "", ""));
        row(out, List.of("INTEREST_CHARGED", last, "", "", Money.toMajor(-s.interestChargedMinor(), currency), "", "",
                "", ""));
        for (Hold h : s.holds()) {
            row(out, List.of("HOLD", date(h.createdAt(), zone), h.holdId(), h.status().name(),
                    Money.toMajor(h.amountMinor(), currency), "", "", h.reference() == null ? "" : h.reference(), ""));
        }
        return out.toString();
    }

    private static void row(StringBuilder out, List<String> cells) {
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) out.append(',');
            out.append(cell(cells.get(i)));
        }
        out.append("\r\n");
    }

    /**
     * One cell, RFC 4180-quoted, and never a formula: references and ids are the clients' text, and a spreadsheet
     * runs a cell that starts with = + - @, a tab or a line break ({@code =HYPERLINK(...)}, {@code +cmd|...}). As
     * OWASP's CSV-injection guidance says, such a cell gets a leading single quote, which spreadsheets show as
     * text; a plain number (our own {@code -360.00}) stays a number.
     */
    static String cell(String c) {
        if (!c.isEmpty() && FORMULA_STARTS.indexOf(c.charAt(0)) >= 0 && !plainNumber(c)) c = "'" + c;
        boolean quote = c.indexOf(',') >= 0 || c.indexOf('"') >= 0 || c.indexOf('\n') >= 0 || c.indexOf('\r') >= 0
                || c.indexOf('\'') == 0;
        return quote ? '"' + c.replace("\"", "\"\"") + '"' : c;
    }

    private static final String FORMULA_STARTS = "=+-@\t\r\n";

    /** {@code -?[0-9]+(\.[0-9]+)?}: an amount as we write it. */
    static boolean plainNumber(String c) {
        int start = c.startsWith("-") ? 1 : 0;
        int point = -1;
        for (int i = start; i < c.length(); i++) {
            char ch = c.charAt(i);
            if (ch == '.' && point < 0) point = i;
            else if (ch < '0' || ch > '9') return false;
        }
        return c.length() > start && point != start && point != c.length() - 1;
    }

    private static String date(long epochMillis, ZoneId zone) {
        return Instant.ofEpochMilli(epochMillis).atZone(zone).toLocalDate().toString();
    }

    /** A4 pages: a header with the account and the period, the entries as a table, then the totals. */
    public static byte[] pdf(Statement s) {
        Currency currency = Currency.getInstance(s.currency());
        ZoneId zone = ZoneId.of(s.zone());
        List<String[]> lines = new ArrayList<>();
        lines.add(new String[] {"Date", "Transaction", "Type", "Amount", "Balance"});
        for (HistoryEntry h : s.entries()) {
            LedgerEntry e = h.entry();
            lines.add(new String[] {date(h.valueTimestamp(), zone), e.transactionId(), e.type().name(),
                    Money.toMajor(e.type().sign() * e.amountMinor(), currency),
                    Money.toMajor(e.balanceAfterMinor(), currency)});
        }
        try (PDDocument document = new PDDocument(); ByteArrayOutputStream bytes = new ByteArrayOutputStream()) {
            PDType1Font regular = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
            PDType1Font bold = new PDType1Font(Standard14Fonts.FontName.HELVETICA_BOLD);
            PdfWriter w = new PdfWriter(document, regular);
            w.line(bold, 14, "Statement " + s.month() + " - account " + s.accountId());
            w.line(regular, 10, "Currency " + s.currency() + ", business time zone " + s.zone()
                    + ", annual interest rate " + percent(s.interestRate()));
            w.gap();
            w.line(bold, 10, "Opening balance: " + Money.toMajor(s.openingBalanceMinor(), currency));
            w.gap();
            for (int i = 0; i < lines.size(); i++) w.columns(i == 0 ? bold : regular, lines.get(i));
            w.gap();
            w.line(bold, 10, "Closing balance: " + Money.toMajor(s.closingBalanceMinor(), currency));
            w.line(regular, 10, "Total credits: " + Money.toMajor(s.totalCreditsMinor(), currency));
            w.line(regular, 10, "Total debits: " + Money.toMajor(s.totalDebitsMinor(), currency));
            w.line(regular, 10, "Interest paid: " + Money.toMajor(s.interestPaidMinor(), currency));
            w.line(regular, 10, "Interest charged: " + Money.toMajor(s.interestChargedMinor(), currency));
            if (!s.holds().isEmpty()) {
                w.gap();
                w.line(bold, 10, "Holds (memo: reservations, not postings; their captures are entries above)");
                for (Hold h : s.holds()) {
                    w.columns(regular, new String[] {date(h.createdAt(), zone), h.holdId(), h.status().name(),
                            Money.toMajor(h.amountMinor(), currency),
                            "left " + Money.toMajor(h.remainingMinor(), currency)});
                }
            }
            w.close();
            document.save(bytes);
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the statement PDF", e);
        }
    }

    private static String percent(String rate) {
        return new java.math.BigDecimal(rate).movePointRight(2).stripTrailingZeros().toPlainString() + "%";
    }

    /** Writes lines top to bottom, starting a new page when one is full. */
    private static final class PdfWriter {
        private static final float MARGIN = 50;
        private static final float[] COLUMNS = {0, 75, 250, 360, 430};
        private final PDDocument document;
        private final PDType1Font font;
        private PDPageContentStream stream;
        private float y;

        PdfWriter(PDDocument document, PDType1Font font) throws IOException {
            this.document = document;
            this.font = font;
            newPage();
        }

        private void newPage() throws IOException {
            if (stream != null) stream.close();
            PDPage page = new PDPage(PDRectangle.A4);
            document.addPage(page);
            stream = new PDPageContentStream(document, page);
            y = page.getMediaBox().getHeight() - MARGIN;
        }

        private void room(float height) throws IOException {
            if (y - height < MARGIN) newPage();
            y -= height;
        }

        void line(PDType1Font f, float size, String text) throws IOException {
            room(size + 6);
            text(f, size, MARGIN, text);
        }

        void columns(PDType1Font f, String[] cells) throws IOException {
            room(14);
            for (int i = 0; i < cells.length; i++) text(f, 9, MARGIN + COLUMNS[i], cells[i]);
        }

        void gap() throws IOException {
            room(6);
        }

        private void text(PDType1Font f, float size, float x, String text) throws IOException {
            stream.beginText();
            stream.setFont(f == null ? font : f, size);
            stream.newLineAtOffset(x, y);
            stream.showText(printable(text));
            stream.endText();
        }

        /** Standard 14 fonts encode WinAnsi only; anything else (e.g. in a reference) is shown as '?'. */
        private static String printable(String text) {
            StringBuilder b = new StringBuilder(text.length());
            text.codePoints().forEach(c -> b.append(c >= 0x20 && c < 0x7f ? (char) c : '?'));
            return b.toString();
        }

        void close() throws IOException {
            stream.close();
        }
    }

    /** The format asked for: the {@code format} parameter (json, csv, pdf) wins over the Accept header. */
    static String negotiate(String formatParam, String accept) {
        if (formatParam != null) {
            return switch (formatParam.toLowerCase(Locale.ROOT)) {
                case "json" -> "application/json";
                case "csv" -> CSV;
                case "pdf" -> PDF;
                default -> throw new InvalidRequestException(Map.of("format", "must be json, csv or pdf, was "
                        + Problem.excerpt(formatParam)));
            };
        }
        if (accept != null) {
            if (accept.contains(PDF)) return PDF;
            if (accept.contains(CSV)) return CSV;
        }
        return "application/json";
    }
}
