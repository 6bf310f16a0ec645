package dev.bank.processor.topology;

import dev.bank.schemas.FxConversion;
import dev.bank.schemas.FxQuote;
import dev.bank.schemas.RejectionReason;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.Currency;

import static org.assertj.core.api.Assertions.assertThat;

/** Converting a transfer's amount at the rate its command carries: rounding, validity and refusals. */
class FxConverterTest {
    private static final Currency EUR = Currency.getInstance("EUR");
    private static final Currency JPY = Currency.getInstance("JPY");
    private static final Currency BHD = Currency.getInstance("BHD");
    private static final String UNTIL = "2026-12-01T12:00:00Z";
    private static final long BEFORE = Instant.parse(UNTIL).toEpochMilli() - 1;

    private static FxQuote quote(String from, String to, String rate) {
        return new FxQuote("q-1", from, to, rate, UNTIL);
    }

    @Test
    void convertsHalfEvenToTheTargetsMinorUnit() {
        // 100.00 EUR at 1.08325 is 108.325 USD: half-even keeps the even cent, 108.32
        FxConversion down = FxConverter.convert(quote("EUR", "USD", "1.08325"), 100_00, EUR, BEFORE).conversion();
        assertThat(down).isEqualTo(new FxConversion("q-1", "1.08325", 100_00, "EUR", 108_32, "USD"));
        // 100.00 EUR at 1.08335 is 108.335 USD: up to the even cent, 108.34
        assertThat(FxConverter.convert(quote("EUR", "USD", "1.08335"), 100_00, EUR, BEFORE).conversion()
                .targetAmountMinor()).isEqualTo(108_34);
        // currencies of other scales: yen has none, the Bahraini dinar three
        assertThat(FxConverter.convert(quote("EUR", "JPY", "161.237"), 10_05, EUR, BEFORE).conversion()
                .targetAmountMinor()).as("10.05 EUR = 1620.43185 JPY").isEqualTo(1620);
        assertThat(FxConverter.convert(quote("JPY", "BHD", "0.0025"), 1001, JPY, BEFORE).conversion()
                .targetAmountMinor()).as("1001 JPY = 2.5025 BHD").isEqualTo(2_502);
        assertThat(FxConverter.convert(quote("BHD", "EUR", "2.43"), 1, BHD, BEFORE).conversion())
                .as("0.001 BHD = 0.00243 EUR rounds to nothing").isNull();
    }

    @Test
    void isValidUpToAndIncludingItsLastInstant() {
        long last = Instant.parse(UNTIL).toEpochMilli();
        assertThat(FxConverter.convert(quote("EUR", "USD", "1.1"), 100, EUR, last).conversion()).isNotNull();
        FxConverter.Result late = FxConverter.convert(quote("EUR", "USD", "1.1"), 100, EUR, last + 1);
        assertThat(late.reason()).isEqualTo(RejectionReason.FX_QUOTE_EXPIRED);
        assertThat(late.detail()).contains("q-1", "valid until 2026-12-01T12:00:00Z", "ask for a new quote");
    }

    @Test
    void refusesWhatCannotBeConverted() {
        assertThat(FxConverter.convert(quote("USD", "EUR", "0.9"), 100, EUR, BEFORE).reason())
                .as("the quote is for another source currency").isEqualTo(RejectionReason.CURRENCY_MISMATCH);
        assertThat(FxConverter.convert(quote("EUR", "EUR", "1"), 100, EUR, BEFORE).reason())
                .isEqualTo(RejectionReason.INVALID_COMMAND);
        assertThat(FxConverter.convert(quote("EUR", "XYZ", "1"), 100, EUR, BEFORE).reason())
                .isEqualTo(RejectionReason.INVALID_COMMAND);
        for (String rate : new String[] {"0", "0.000", "-1", "1e3", "", "1.", "12345678901234567890123456789012"}) {
            assertThat(FxConverter.convert(quote("EUR", "USD", rate), 100, EUR, BEFORE).reason()).as(rate)
                    .isEqualTo(RejectionReason.INVALID_COMMAND);
        }
        assertThat(FxConverter.convert(new FxQuote("q", "EUR", "USD", "1.1", "tomorrow"), 100, EUR, BEFORE).reason())
                .isEqualTo(RejectionReason.INVALID_COMMAND);
        assertThat(FxConverter.convert(new FxQuote("q", "EUR", "USD", "1.1", null), 100, EUR, BEFORE).reason())
                .isEqualTo(RejectionReason.INVALID_COMMAND);
        assertThat(FxConverter.convert(quote("EUR", "JPY", "999999999999.9"), Long.MAX_VALUE / 2, EUR, BEFORE)
                .reason()).as("more yen than a long holds").isEqualTo(RejectionReason.INVALID_AMOUNT);
    }

    /**
     * Whatever the amount, rate and currencies: the target is the exact product rounded half-even (never more than
     * half a minor unit away), the source side is the amount as sent, and a conversion that rounds to nothing (or to
     * more than a balance can hold) is refused rather than booked.
     */
    @Property(tries = 2000)
    void theTargetIsTheExactProductRoundedHalfEven(@ForAll("amounts") long minor, @ForAll("rates") String rate,
                                                   @ForAll("currencies") Currency from,
                                                   @ForAll("currencies") Currency to) {
        if (from.equals(to)) return;
        FxConverter.Result result = FxConverter.convert(quote(from.getCurrencyCode(), to.getCurrencyCode(), rate),
                minor, from, BEFORE);
        BigDecimal exact = BigDecimal.valueOf(minor, from.getDefaultFractionDigits()).multiply(new BigDecimal(rate));
        BigDecimal rounded = exact.setScale(to.getDefaultFractionDigits(), RoundingMode.HALF_EVEN);
        if (rounded.signum() == 0 || rounded.unscaledValue().bitLength() > 62) {
            assertThat(result.reason()).as("nothing, or more than an account can hold").isEqualTo(RejectionReason.INVALID_AMOUNT);
            return;
        }
        FxConversion fx = result.conversion();
        assertThat(fx.sourceAmountMinor()).isEqualTo(minor);
        assertThat(fx.sourceCurrency()).isEqualTo(from.getCurrencyCode());
        assertThat(fx.targetCurrency()).isEqualTo(to.getCurrencyCode());
        BigDecimal target = BigDecimal.valueOf(fx.targetAmountMinor(), to.getDefaultFractionDigits());
        assertThat(target).isEqualByComparingTo(rounded);
        BigDecimal halfUnit = BigDecimal.ONE.movePointLeft(to.getDefaultFractionDigits()).divide(BigDecimal.valueOf(2));
        assertThat(target.subtract(exact).abs()).isLessThanOrEqualTo(halfUnit);
    }

    @Provide
    Arbitrary<Long> amounts() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.longs().between(1, 10_000)),
                net.jqwik.api.Tuple.of(1, Arbitraries.longs().between(1, 1_000_000_000_000L)));
    }

    @Provide
    Arbitrary<String> rates() {
        return net.jqwik.api.Combinators.combine(Arbitraries.integers().between(0, 20_000),
                        Arbitraries.strings().numeric().ofMinLength(0).ofMaxLength(8))
                .as((whole, fraction) -> fraction.isEmpty() ? String.valueOf(whole) : whole + "." + fraction)
                .filter(r -> new BigDecimal(r).signum() > 0);
    }

    @Provide
    Arbitrary<Currency> currencies() {
        return Arbitraries.of(EUR, Currency.getInstance("USD"), JPY, BHD, Currency.getInstance("CHF"));
    }
}
