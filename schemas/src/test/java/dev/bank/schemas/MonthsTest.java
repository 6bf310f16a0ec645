package dev.bank.schemas;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.time.YearMonth;

import static org.assertj.core.api.Assertions.assertThat;

class MonthsTest {
    @Test
    void readsFourDigitYearsAndMonthsOneToTwelve() {
        assertThat(Months.parse("2026-01")).isEqualTo(YearMonth.of(2026, 1));
        assertThat(Months.parse("0001-12")).isEqualTo(YearMonth.of(1, 12));
        assertThat(Months.parse("9999-12")).isEqualTo(YearMonth.of(9999, 12));
    }

    @Test
    void refusesSignsExtraDigitsAndImpossibleMonths() {
        for (String text : new String[] {"-2026-01", "+2026-01", "02026-01", "2026-1", "2026-00", "2026-13",
                "2026-99", "26-01", "2026/01", "2026-01-01", "２０２６-01", "2026-0a", "", " 2026-01", "2026-01 "}) {
            assertThat(Months.parse(text)).as(text).isNull();
        }
        assertThat(Months.parse(null)).isNull();
    }

    @Property(tries = 500)
    void everyMonthReadsBackAsItsOwnText(@ForAll @IntRange(max = 9999) int year, @ForAll @IntRange(min = 1, max = 12) int month) {
        YearMonth m = YearMonth.of(year, month);
        String text = String.format("%04d-%02d", year, month);
        assertThat(Months.parse(text)).isEqualTo(m);
    }

    @Property(tries = 1000)
    void anythingElseIsNotAMonth(@ForAll String text) {
        YearMonth m = Months.parse(text);
        if (m != null) assertThat(String.format("%04d-%02d", m.getYear(), m.getMonthValue())).isEqualTo(text);
    }
}
