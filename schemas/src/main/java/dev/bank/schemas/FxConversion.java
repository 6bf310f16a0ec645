package dev.bank.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;

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
}
