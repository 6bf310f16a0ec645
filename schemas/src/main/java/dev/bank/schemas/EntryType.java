package dev.bank.schemas;

/** The kind of a ledger posting. OPENING_DEPOSIT is a credit made while opening the account. */
public enum EntryType {
    OPENING_DEPOSIT, CREDIT, DEBIT,
    /** The source's debit of a transfer; the money is in flight until TRANSFER_IN or TRANSFER_REFUND. */
    TRANSFER_OUT,
    /** The destination's credit of a transfer. */
    TRANSFER_IN,
    /** The source's credit when the destination refused the transfer. */
    TRANSFER_REFUND,
    /** Interest paid by the bank; its transactionId is {@code interest:<business date>}. */
    INTEREST,
    /** Interest charged on a negative balance at the account's debit rate; transactionId {@code interest:<date>}. */
    INTEREST_CHARGE,
    /** What a capture took from a hold: money out, like a debit; its transactionId is the capture's. */
    HOLD_CAPTURE,
    /** An FX position account takes the source amount of a conversion (the bank bought that currency). */
    FX_BOUGHT,
    /** An FX position account gives the target amount of a conversion (the bank sold that currency). */
    FX_SOLD;

    /** +1 for money in, -1 for money out. */
    public int sign() {
        return this == DEBIT || this == TRANSFER_OUT || this == INTEREST_CHARGE || this == HOLD_CAPTURE
                || this == FX_SOLD ? -1 : 1;
    }

    /**
     * Whether the posting moves money between this system and the outside world (not between accounts). Interest
     * is money the bank brings in from outside the accounts, so it counts like a credit when balances are
     * reconciled against external flows.
     */
    public boolean external() {
        return this == OPENING_DEPOSIT || this == CREDIT || this == DEBIT || this == INTEREST || this == INTEREST_CHARGE
                || this == HOLD_CAPTURE;
    }
}
