package dev.bank.gateway.http;

import dev.bank.schemas.EntryType;
import dev.bank.schemas.HistoryEntry;
import dev.bank.schemas.LedgerEntry;
import dev.bank.schemas.Statement;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A client's text in a CSV statement is shown by a spreadsheet, never run by it (OWASP CSV injection). */
class CsvInjectionTest {
    @Test
    void cellsThatStartLikeAFormulaGetALeadingQuote() {
        assertThat(Statements.cell("=HYPERLINK(\"http://x\",\"y\")")).isEqualTo("\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
        assertThat(Statements.cell("+cmd|' /C calc'!A0")).isEqualTo("\"'+cmd|' /C calc'!A0\"");
        assertThat(Statements.cell("-2+3")).isEqualTo("\"'-2+3\"");
        assertThat(Statements.cell("@SUM(A1)")).isEqualTo("\"'@SUM(A1)\"");
        assertThat(Statements.cell("\t=1")).isEqualTo("\"'\t=1\"");
        assertThat(Statements.cell("\r=1")).isEqualTo("\"'\r=1\"");
    }

    @Test
    void ourOwnNumbersStayNumbers() {
        assertThat(Statements.cell("-360.00")).isEqualTo("-360.00");
        assertThat(Statements.cell("1000.00")).isEqualTo("1000.00");
        assertThat(Statements.cell("-5")).isEqualTo("-5");
        assertThat(Statements.cell("rent")).isEqualTo("rent");
        assertThat(Statements.cell("")).isEqualTo("");
        assertThat(Statements.cell("-")).isEqualTo("\"'-\"");
        assertThat(Statements.cell("-1.")).isEqualTo("\"'-1.\"");
    }

    @Test
    void aStatementNeutralisesReferencesAndCounterparties() {
        long ts = Instant.parse("2025-03-02T10:00:00Z").toEpochMilli();
        var entry = new HistoryEntry(new LedgerEntry("alice", "-tx", EntryType.TRANSFER_OUT, 100, "EUR", 1000, 900, 1,
                ts, "tr-1", "@bob", "=HYPERLINK(\"http://evil\")"), ts);
        String csv = Statements.csv(new Statement("alice", "EUR", "2025-03", "UTC", ts - 1, ts + 1, "0", 1000, 900, 0,
                100, 0, 0, List.of(entry), List.of()));
        String row = csv.split("\r\n")[2];
        assertThat(row).contains("\"'-tx\"", "\"'@bob\"", "\"'=HYPERLINK(\"\"http://evil\"\")\"", ",-1.00,", ",9.00,");
    }

    @Property(tries = 2000)
    void noCellStartsAFormulaAndEveryCellReadsBack(@ForAll String text) {
        String cell = Statements.cell(text);
        String value = unquote(cell);
        if (!Statements.plainNumber(text)) {
            assertThat(value.isEmpty() || "=+-@\t\r\n".indexOf(value.charAt(0)) < 0).as(cell).isTrue();
        }
        String original = value.startsWith("'") && !text.startsWith("'") ? value.substring(1) : value;
        assertThat(original).isEqualTo(text);
    }

    /** RFC 4180: a quoted cell loses its quotes and has doubled quotes halved. */
    private static String unquote(String cell) {
        if (!cell.startsWith("\"")) {
            assertThat(cell).doesNotContain(",", "\"", "\n", "\r");
            return cell;
        }
        assertThat(cell).endsWith("\"");
        String inner = cell.substring(1, cell.length() - 1);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < inner.length(); i++) {
            char c = inner.charAt(i);
            if (c == '"') {
                assertThat(inner.charAt(i + 1)).isEqualTo('"');
                i++;
            }
            b.append(c);
        }
        return b.toString();
    }
}
