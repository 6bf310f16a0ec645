package dev.bank.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An account's own fraud thresholds, set by an admin (SET_FRAUD_RULES); each absent field takes the bank's
 * configured default. Amounts are decimal strings in major units of the account's currency.
 *
 * @param enabled            false exempts the account from every rule (a treasury or settlement account); absent: checked
 * @param velocityMaxCount   the most debits and transfers out allowed within the velocity window
 * @param largeAmountFactor  how many times the account's median outflow an amount may be before it is unusual
 * @param dailyOutflowCap    the business day's outflow above which a payment is reviewed
 * @param newPayeeAmount     the amount from which a first transfer to a counterparty counts
 * @param structuringThreshold the reporting threshold that payments just under it are counted against
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FraudRules(Boolean enabled, Integer velocityMaxCount, Integer largeAmountFactor, String dailyOutflowCap,
                         String newPayeeAmount, String structuringThreshold) {

    /** No overrides: every default applies. */
    public static final FraudRules DEFAULTS = new FraudRules(null, null, null, null, null, null);
}
