package dev.bank.schemas;

/** The fraud rules the processor checks every debit and transfer with, before it is applied. */
public enum FraudRule {
    /** More debits and transfers out in a short window than the account's limit. */
    VELOCITY,
    /** An amount far above the account's own typical (median) outflow. */
    LARGE_AMOUNT,
    /** The business day's outflow, this payment included, above a cap. */
    DAILY_OUTFLOW,
    /** A first transfer to a counterparty the account has not paid before, above a threshold. */
    NEW_PAYEE,
    /** Money in and straight out again: most of what arrived in a short window leaves in it (a mule account). */
    MULE,
    /** Several payments just under a reporting threshold within a day (structuring, or smurfing). */
    STRUCTURING
}
