package dev.bank.processor.topology;

import dev.bank.schemas.FxConversion;
import dev.bank.schemas.FxQuote;
import dev.bank.schemas.Money;
import dev.bank.schemas.RejectionReason;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Currency;

/**
 * Converts a transfer's amount at the rate its command carries ({@link FxQuote}), as a pure function of the quote,
 * the amount and the command's record time: the rate is never looked up, so a replay converts identically. The
 * target amount is the source amount times the rate, rounded half-even to the target currency's minor unit; what
 * rounding leaves over stays with the bank's FX positions, which book both sides.
 */
final class FxConverter {
    private FxConverter() {}

    /** A conversion, or the refusal that says why there is none. */
    record Result(FxConversion conversion, RejectionReason reason, String detail) {
        static Result refused(RejectionReason reason, String detail) {
            return new Result(null, reason, detail);
        }
    }

    /**
     * Converts {@code sourceMinor} of {@code source} at {@code quote}, used at record time {@code timestamp}.
     * Refused: a quote whose {@code from} is not the source's currency (CURRENCY_MISMATCH), that converts a currency
     * into itself or is malformed (INVALID_COMMAND), that is past its validity (FX_QUOTE_EXPIRED), or an amount that
     * converts to nothing or to more than a {@code long} holds (INVALID_AMOUNT).
     */
    static Result convert(FxQuote quote, long sourceMinor, Currency source, long timestamp) {
        if (!source.getCurrencyCode().equals(quote.from())) {
            return Result.refused(RejectionReason.CURRENCY_MISMATCH, "quote " + quote.quoteId() + " converts from "
                    + quote.from() + ", but the account holds " + source.getCurrencyCode());
        }
        Currency target;
        try {
            target = Money.currency(quote.to());
        } catch (Money.InvalidAmountException e) {
            return Result.refused(RejectionReason.INVALID_COMMAND, "quote " + quote.quoteId() + ": " + e.getMessage());
        }
        if (target.equals(source)) {
            return Result.refused(RejectionReason.INVALID_COMMAND,
                    "quote " + quote.quoteId() + " converts " + quote.from() + " into itself");
        }
        BigDecimal rate;
        Instant validUntil;
        try {
            rate = FxConversion.rate(quote.rate());
            validUntil = OffsetDateTime.parse(quote.validUntil()).toInstant();
        } catch (Money.InvalidAmountException | DateTimeParseException | NullPointerException e) {
            return Result.refused(RejectionReason.INVALID_COMMAND, "quote " + quote.quoteId()
                    + " needs a positive decimal rate and an ISO-8601 validUntil");
        }
        if (timestamp > validUntil.toEpochMilli()) {
            return Result.refused(RejectionReason.FX_QUOTE_EXPIRED, "quote " + quote.quoteId() + " was valid until "
                    + validUntil + "; the transfer reached the bank at " + Instant.ofEpochMilli(timestamp)
                    + ": ask for a new quote");
        }
        BigInteger targetMinor = FxConversion.targetMinor(sourceMinor, source, rate, target);
        if (targetMinor.signum() <= 0) {
            return Result.refused(RejectionReason.INVALID_AMOUNT, "the amount converts to less than one minor unit of "
                    + target.getCurrencyCode() + " at " + quote.rate());
        }
        if (targetMinor.bitLength() > 62) { // leaves room to add it to any balance the destination may hold
            return Result.refused(RejectionReason.INVALID_AMOUNT, "the amount converts to more "
                    + target.getCurrencyCode() + " than an account can hold");
        }
        return new Result(new FxConversion(quote.quoteId(), quote.rate(), sourceMinor, source.getCurrencyCode(),
                targetMinor.longValueExact(), target.getCurrencyCode()), null, null);
    }
}
