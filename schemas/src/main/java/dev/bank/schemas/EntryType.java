package dev.bank.schemas;

/** The kind of a ledger posting. OPENING_DEPOSIT is a credit made while opening the account. */
public enum EntryType {
    OPENING_DEPOSIT, CREDIT, DEBIT;

    /** +1 for money in, -1 for money out. */
    public int sign() {
        return this == DEBIT ? -1 : 1;
    }
}
