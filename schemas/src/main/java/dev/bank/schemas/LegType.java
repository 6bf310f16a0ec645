package dev.bank.schemas;

/** The messages of a transfer between the two accounts' tasks, on the transfer-legs topic. */
public enum LegType {
    /** Source → destination: credit this amount (keyed by the destination). */
    CREDIT,
    /** Destination → source: the credit was applied (keyed by the source). */
    COMPLETED,
    /** Destination → source: the credit was refused, give the money back (keyed by the source). */
    REFUND,
    /**
     * Destination → the bank's FX position account of one currency (keyed by it), sent with a converted credit: the
     * position takes the source amount, or gives the target amount.
     */
    FX_POSITION
}
