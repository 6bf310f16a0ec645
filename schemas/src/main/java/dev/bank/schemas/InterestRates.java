package dev.bank.schemas;

import java.math.BigDecimal;

/**
 * Annual interest rates as exact decimals: {@code "0.025"} is 2.5% a year. Read from text without ever passing
 * through a {@code double}; a rate must be between 0 and {@link #MAX} with at most {@link #MAX_FRACTION_DIGITS}
 * fraction digits. Zero is allowed (the account earns nothing).
 */
public final class InterestRates {
    /** 100% a year: anything above is taken for a typo (e.g. 2.5 meant as 2.5%), not a rate. */
    public static final BigDecimal MAX = BigDecimal.ONE;
    public static final int MAX_FRACTION_DIGITS = 8;
    /** The longest text the schema's pattern admits: three whole digits, a point and twenty fraction digits. */
    public static final int MAX_TEXT_LENGTH = 24;

    private InterestRates() {}

    /** The rate of a decimal string, or {@link Money.InvalidAmountException} saying why it is not one. */
    public static BigDecimal parse(String text) {
        if (text == null || text.length() > MAX_TEXT_LENGTH || !text.matches("[0-9]{1,3}(\\.[0-9]{1,20})?")) {
            throw new Money.InvalidAmountException(
                    "interestRate must be a non-negative decimal such as 0.025 (2.5% a year), was "
                            + Problem.excerpt(text));
        }
        BigDecimal rate = new BigDecimal(text).stripTrailingZeros();
        if (rate.compareTo(MAX) > 0) {
            throw new Money.InvalidAmountException("interestRate " + text
                    + " is above 1 (100% a year); write 2.5% as 0.025");
        }
        if (rate.scale() > MAX_FRACTION_DIGITS) {
            throw new Money.InvalidAmountException("interestRate " + text + " has more than "
                    + MAX_FRACTION_DIGITS + " fraction digits");
        }
        return rate;
    }

    /** The canonical text of a valid rate: {@code "0.0250"} and {@code "0.025"} are both {@code "0.025"}. */
    public static String canonical(String text) {
        BigDecimal rate = parse(text);
        return rate.scale() < 0 ? rate.setScale(0).toPlainString() : rate.toPlainString();
    }
}
