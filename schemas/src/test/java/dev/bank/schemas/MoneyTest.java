package dev.bank.schemas;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.Currency;
import java.util.Random;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MoneyTest {
    private static final Currency EUR = Currency.getInstance("EUR");
    private static final Currency JPY = Currency.getInstance("JPY");
    private static final Currency BHD = Currency.getInstance("BHD");

    @Test
    void plainDecimalCheckAgreesWithItsPattern() {
        Pattern rule = Pattern.compile("[0-9]+(\\.[0-9]+)?");
        String alphabet = "0189..-+e x";
        Random random = new Random(7);
        for (int i = 0; i < 200_000; i++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(7);
            for (int j = 0; j < length; j++) text.append(alphabet.charAt(random.nextInt(alphabet.length())));
            assertThat(Money.plainDecimal(text.toString())).as(text.toString())
                    .isEqualTo(rule.matcher(text).matches());
        }
        assertThat(Money.plainDecimal(null)).isFalse();
    }
    private static final BigDecimal MAX = new BigDecimal("1000000");

    @Test
    void convertsMajorUnitsToMinorUnitsExactly() {
        assertThat(Money.toMinor("12.34", EUR, MAX)).isEqualTo(1234);
        assertThat(Money.toMinor("1000", EUR, MAX)).isEqualTo(100_000);
        assertThat(Money.toMinor("0.1", EUR, MAX)).isEqualTo(10);
        assertThat(Money.toMinor("12.340", EUR, MAX)).as("trailing zeros are not extra precision").isEqualTo(1234);
        assertThat(Money.toMinor("500", JPY, MAX)).isEqualTo(500);
        assertThat(Money.toMinor("1.234", BHD, MAX)).isEqualTo(1234);
    }

    @Test
    void rejectsMoreFractionDigitsThanTheCurrencyHasInsteadOfRounding() {
        assertThatThrownBy(() -> Money.toMinor("12.345", EUR, MAX)).hasMessageContaining("fraction digits");
        assertThatThrownBy(() -> Money.toMinor("1.5", JPY, MAX)).hasMessageContaining("fraction digits");
    }

    @Test
    void rejectsZeroNegativeMalformedAndTooLarge() {
        assertThatThrownBy(() -> Money.toMinor("0", EUR, MAX)).hasMessageContaining("greater than zero");
        assertThatThrownBy(() -> Money.toMinor("0.00", EUR, MAX)).hasMessageContaining("greater than zero");
        assertThatThrownBy(() -> Money.toMinor("-5", EUR, MAX)).isInstanceOf(Money.InvalidAmountException.class);
        assertThatThrownBy(() -> Money.toMinor("1e3", EUR, MAX)).isInstanceOf(Money.InvalidAmountException.class);
        assertThatThrownBy(() -> Money.toMinor("abc", EUR, MAX)).isInstanceOf(Money.InvalidAmountException.class);
        assertThatThrownBy(() -> Money.toMinor(null, EUR, MAX)).isInstanceOf(Money.InvalidAmountException.class);
        assertThatThrownBy(() -> Money.toMinor("1000000.01", EUR, MAX)).hasMessageContaining("maximum");
        assertThatThrownBy(() -> Money.toMinor("99999999999999999999", EUR, null)).hasMessageContaining("too large");
    }

    @Test
    void formatsMinorUnitsWithTheCurrencyScale() {
        assertThat(Money.toMajor(80_000, EUR)).isEqualTo("800.00");
        assertThat(Money.toMajor(5, EUR)).isEqualTo("0.05");
        assertThat(Money.toMajor(-150, EUR)).isEqualTo("-1.50");
        assertThat(Money.toMajor(500, JPY)).isEqualTo("500");
    }

    @Test
    void knowsCurrenciesAndRefusesUnknownOnes() {
        assertThat(Money.currency("EUR")).isEqualTo(EUR);
        assertThatThrownBy(() -> Money.currency("XYZ")).hasMessageContaining("unknown");
        assertThatThrownBy(() -> Money.currency("eur")).hasMessageContaining("ISO-4217");
        assertThatThrownBy(() -> Money.currency("XAU")).as("gold has no minor unit").hasMessageContaining("no minor unit");
    }

    @Test
    void canonicalAmountsCompareEqualAcrossTrailingZeros() {
        assertThat(Money.canonical("10")).isEqualTo(Money.canonical("10.00"));
        assertThat(Money.canonical("100")).isEqualTo("100");
        assertThat(Money.canonical("0.50")).isEqualTo("0.5");
    }
}
