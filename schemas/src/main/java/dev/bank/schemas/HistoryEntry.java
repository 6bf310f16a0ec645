package dev.bank.schemas;

/**
 * A ledger entry as the processor's history store keeps it, with the time from which it counts.
 *
 * <p>{@code valueTimestamp} is the entry's record timestamp, or the previous entry's value timestamp when that is
 * later (a command that was queued or delayed behind a later-stamped posting). Value timestamps therefore never
 * go down along an account's sequence, which is what makes "the balance at time t" well defined: the balance
 * after the last entry whose value timestamp is at or before t. End-of-day balances for interest and the opening
 * and closing balances of statements all use it, so a statement's opening balance plus its entries is always its
 * closing balance. Schema: {@code history-entry.schema.json}.
 */
public record HistoryEntry(LedgerEntry entry, long valueTimestamp) {
}
