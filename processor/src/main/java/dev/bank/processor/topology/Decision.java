package dev.bank.processor.topology;

import dev.bank.schemas.Account;
import dev.bank.schemas.LedgerEntry;
import dev.bank.schemas.Outcome;

/**
 * What applying one command decided: the account state to store (null when nothing changes), the outcome to
 * publish, and the ledger entry of the posting (null when nothing was posted).
 */
public record Decision(Account newState, Outcome outcome, LedgerEntry entry) {
}
