package dev.bank.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Currency;

/**
 * What a transfer between two currencies converted: both amounts, both currencies and the rate, as the transfer's
 * legs, both ledger entries, both views of the transfer and its outcome record it. The target amount is
 * {@code sourceAmount × rate} rounded half-even to the target currency's minor unit; the bank's FX position accounts
 * take the other side of both amounts ({@link FxPositions}), so money is conserved per currency.
 *
 * @param quoteId           the quote the rate came from
 * @param rate              units of target currency per unit of source currency, an exact decimal string
 * @param sourceAmountMinor what left the source account, in its currency's minor units
 * @param sourceCurrency    the source account's currency
 * @param targetAmountMinor what reached the destination account, in its currency's minor units
 * @param targetCurrency    the destination account's currency
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FxConversion(String quoteId, String rate, long sourceAmountMinor, String sourceCurrency,
                           long targetAmountMinor, String targetCurrency) {

    /** The longest rate text accepted: {@code fx-rate.schema.json} allows 12 integer and 16 fraction digits. */
    public static final int MAX_RATE_LENGTH = 29;

    /**
     * The one conversion rule, for the processor's transfers and the gateway's quotes alike: {@code sourceMinor} of
     * {@code source} times {@code rate}, rounded half-even to {@code target}'s minor unit, in its minor units.
     */
    public static BigInteger targetMinor(long sourceMinor, Currency source, BigDecimal rate, Currency target) {
        return BigDecimal.valueOf(sourceMinor, source.getDefaultFractionDigits())
                .multiply(rate)
                .setScale(target.getDefaultFractionDigits(), RoundingMode.HALF_EVEN)
                .unscaledValue();
    }

    /** A rate: a positive plain decimal of at most {@link #MAX_RATE_LENGTH} characters, or InvalidAmountException. */
    public static BigDecimal rate(String text) {
        if (text == null || text.length() > MAX_RATE_LENGTH) {
            throw new Money.InvalidAmountException("rate must be a decimal of at most " + MAX_RATE_LENGTH
                    + " characters");
        }
        BigDecimal rate = Money.parseDecimal(text);
        if (rate.signum() <= 0) throw new Money.InvalidAmountException("rate must be greater than zero");
        return rate;
    }
}
