package dev.bank.schemas;

/**
 * One immutable posting on the ledger topic, keyed by accountId. Schema: {@code ledger-entry.schema.json}.
 * Replaying an account's entries in sequence order reproduces its balance:
 * {@code balanceAfterMinor = balanceBeforeMinor + sign(type) * amountMinor}.
 *
 * @param sequence  1, 2, 3, ... per account, without gaps
 * @param timestamp epoch millis of the command record that caused the posting
 */
public record LedgerEntry(String accountId, String transactionId, EntryType type, long amountMinor, String currency,
                          long balanceBeforeMinor, long balanceAfterMinor, long sequence, long timestamp) {
}
