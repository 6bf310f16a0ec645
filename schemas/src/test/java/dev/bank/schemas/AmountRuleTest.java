package dev.bank.schemas;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Currency;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * One size rule for amounts, on both sides of the wire: {@link Money#MAX_AMOUNT_LENGTH} characters of plain text,
 * the schema's {@code maxLength}; and a value is measured before it is written out, so a short number with a huge
 * exponent costs nothing to refuse.
 */
class AmountRuleTest {
    private static final Currency EUR = Currency.getInstance("EUR");

    @Test
    void theSchemaAndMoneyAgreeOnTheLongestAmount() {
        String longest = "1".repeat(Money.MAX_AMOUNT_LENGTH);
        String tooLong = longest + "1";
        assertThat(CommandShape.violations(Json.MAPPER.valueToTree(Command.credit("t", "a", longest)))).isEmpty();
        assertThat(CommandShape.violations(Json.MAPPER.valueToTree(Command.credit("t", "a", tooLong)))).isNotEmpty();
        assertThat(Money.parseDecimal(longest)).isEqualTo(new BigDecimal(longest));
        assertThatThrownBy(() -> Money.parseDecimal(tooLong)).isInstanceOf(Money.InvalidAmountException.class)
                .hasMessageContaining("at most 40 characters");
    }

    @Test
    @Timeout(value = 1, unit = TimeUnit.SECONDS)
    void hugeExponentsAreRefusedWithoutWritingThemOut() {
        assertThat(Money.plainText(new BigDecimal("1e10000000"), Money.MAX_AMOUNT_LENGTH)).isNull();
        assertThat(Money.plainText(new BigDecimal("1e-10000000"), Money.MAX_AMOUNT_LENGTH)).isNull();
        assertThat(Money.plainText(new BigDecimal("9e" + Integer.MAX_VALUE), Money.MAX_AMOUNT_LENGTH)).isNull();
        assertThat(Money.plainText(new BigDecimal("9e-" + Integer.MAX_VALUE), Money.MAX_AMOUNT_LENGTH)).isNull();
        assertThat(Money.plainText(new BigDecimal("1.5e3"), Money.MAX_AMOUNT_LENGTH)).isEqualTo("1500");
    }

    @Test
    @Timeout(value = 1, unit = TimeUnit.SECONDS)
    void longTextsAreRefusedBeforeTheyAreParsed() {
        String million = "9".repeat(1_000_000);
        assertThatThrownBy(() -> Money.toMinor(million, EUR, null)).isInstanceOf(Money.InvalidAmountException.class);
        assertThat(Money.canonical(million)).isSameAs(million);
        assertThatThrownBy(() -> InterestRates.parse("0." + million)).isInstanceOf(Money.InvalidAmountException.class)
                .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(200));
    }

    @Property(tries = 2000)
    void plainLengthIsTheLengthOfThePlainText(@ForAll("decimals") BigDecimal value) {
        assertThat(Money.plainLength(value)).isEqualTo(value.toPlainString().length());
    }

    @Provide
    Arbitrary<BigDecimal> decimals() {
        Arbitrary<BigInteger> unscaled = Arbitraries.bigIntegers()
                .between(BigInteger.TEN.pow(30).negate(), BigInteger.TEN.pow(30));
        Arbitrary<Integer> scale = Arbitraries.integers().between(-60, 60);
        return unscaled.flatMap(u -> scale.map(s -> new BigDecimal(u, s)));
    }
}
