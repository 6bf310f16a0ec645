package dev.bank.schemas;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Currency;

/**
 * Conversions between decimal major units as people write them ({@code "12.34"}) and the {@code long} minor
 * units every balance is kept in. Nothing is ever rounded: an amount with more fraction digits than the
 * currency has is refused, as is anything that does not fit a {@code long}.
 */
public final class Money {
    /**
     * The one rule for an amount's size, on both sides of the wire: its plain decimal text has at most this many
     * characters ({@code command.schema.json} says the same with {@code maxLength}; {@code SchemaContractTest}
     * holds the two together). Checked before anything is converted, because a short text can stand for a huge
     * value: {@code 1e10000000} is ten characters, and its plain form ten million digits.
     */
    public static final int MAX_AMOUNT_LENGTH = 40;

    private Money() {}

    /** Thrown for an amount that cannot be taken as money in the given currency; the message says why. */
    public static final class InvalidAmountException extends IllegalArgumentException {
        public InvalidAmountException(String message) { super(message); }
    }

    /** The ISO-4217 currency for a code, or {@link InvalidAmountException} for an unknown code. */
    public static Currency currency(String code) {
        if (!currencyCode(code)) {
            throw new InvalidAmountException("currency must be an ISO-4217 code such as EUR, was " + Problem.excerpt(code));
        }
        Currency c;
        try {
            c = Currency.getInstance(code);
        } catch (IllegalArgumentException e) {
            throw new InvalidAmountException("unknown ISO-4217 currency " + code);
        }
        if (c.getDefaultFractionDigits() < 0) {
            throw new InvalidAmountException("currency " + code + " has no minor unit and cannot hold balances");
        }
        return c;
    }

    /**
     * Parses a plain decimal string of at most {@link #MAX_AMOUNT_LENGTH} characters; rejects exponents, signs,
     * blanks and anything that is not a number.
     */
    public static BigDecimal parseDecimal(String text) {
        if (text == null || text.length() > MAX_AMOUNT_LENGTH || !plainDecimal(text)) {
            throw new InvalidAmountException("amount must be a positive decimal number such as 12.34 of at most "
                    + MAX_AMOUNT_LENGTH + " characters, was " + Problem.excerpt(text));
        }
        return new BigDecimal(text);
    }

    /**
     * The plain text of a decimal ({@code 1E+3} is {@code "1000"}) when it has at most {@code maxLength}
     * characters, else null. Its length is worked out from precision and scale first, so a value with a huge
     * exponent is refused without ever being written out.
     */
    public static String plainText(BigDecimal value, int maxLength) {
        return plainLength(value) <= maxLength ? value.toPlainString() : null;
    }

    /** The length {@link BigDecimal#toPlainString} would have, without calling it. */
    static long plainLength(BigDecimal value) {
        long digits = value.precision();
        long scale = value.scale();
        long sign = value.signum() < 0 ? 1 : 0;
        if (value.signum() == 0) return scale <= 0 ? 1 : scale + 2;
        if (scale <= 0) return sign + digits - scale;
        return sign + (scale >= digits ? scale + 2 : digits + 1);
    }

    /** Three capital ASCII letters ({@code [A-Z]{3}}), an ISO-4217 code's form; by hand, as {@link #plainDecimal}. */
    static boolean currencyCode(String code) {
        return code != null && code.length() == 3
                && upper(code.charAt(0)) && upper(code.charAt(1)) && upper(code.charAt(2));
    }

    private static boolean upper(char c) {
        return c >= 'A' && c <= 'Z';
    }

    /**
     * Digits, optionally a point and more digits: {@code [0-9]+(\.[0-9]+)?}, checked by hand because
     * {@link String#matches} compiles its pattern on every call and this runs for every amount on both sides.
     */
    static boolean plainDecimal(String text) {
        if (text == null) return false;
        int point = -1;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '.' && point < 0) point = i;
            else if (c < '0' || c > '9') return false;
        }
        return point != 0 && point != text.length() - 1 && !text.isEmpty();
    }

    /**
     * Minor units of a positive amount in major units, e.g. {@code "12.34"} EUR is 1234. Zero, more fraction
     * digits than the currency allows and values above {@code maxMajor} are refused.
     */
    public static long toMinor(String majorText, Currency currency, BigDecimal maxMajor) {
        BigDecimal major = parseDecimal(majorText).stripTrailingZeros();
        if (major.signum() <= 0) throw new InvalidAmountException("amount must be greater than zero");
        int digits = currency.getDefaultFractionDigits();
        if (major.scale() > digits) {
            throw new InvalidAmountException("amount " + majorText + " has more than " + digits
                    + " fraction digits, the most " + currency.getCurrencyCode() + " allows");
        }
        if (maxMajor != null && major.compareTo(maxMajor) > 0) {
            throw new InvalidAmountException("amount " + majorText + " is above the maximum of "
                    + maxMajor.toPlainString() + " per transaction");
        }
        BigInteger minor = major.movePointRight(digits).toBigIntegerExact();
        if (minor.bitLength() > 63) throw new InvalidAmountException("amount " + majorText + " is too large");
        return minor.longValueExact();
    }

    /** Major units with the currency's scale, e.g. 80000 EUR is {@code "800.00"}; negative values keep the sign. */
    /**
     * Minor units as the exact decimal of major units with the currency's scale ({@code 80000} EUR is {@code 800.00}):
     * what the REST API answers as a JSON number (Jackson writes a {@link BigDecimal} as its digits, never through a
     * double).
     */
    public static BigDecimal major(long minor, Currency currency) {
        return BigDecimal.valueOf(minor, Math.max(0, currency.getDefaultFractionDigits()));
    }

    public static String toMajor(long minor, Currency currency) {
        return BigDecimal.valueOf(minor, currency.getDefaultFractionDigits()).toPlainString();
    }

    /** Canonical form of a decimal amount so that {@code "10"}, {@code "10.0"} and {@code "10.00"} compare equal. */
    public static String canonical(String majorText) {
        try {
            BigDecimal d = parseDecimal(majorText).stripTrailingZeros();
            return d.scale() < 0 ? d.setScale(0).toPlainString() : d.toPlainString();
        } catch (InvalidAmountException e) {
            return majorText;
        }
    }
}
