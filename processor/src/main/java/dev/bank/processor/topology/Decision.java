package dev.bank.processor.topology;

import dev.bank.schemas.Account;
import dev.bank.schemas.Hold;
import dev.bank.schemas.LedgerEntry;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.OutcomeStatus;
import dev.bank.schemas.Transfer;
import dev.bank.schemas.TransferLeg;

import java.util.List;

/**
 * What applying one record decided; every part is optional and all of it commits together.
 *
 * @param newState the account state to store (null when the account does not change)
 * @param outcome  the command's outcome; published unless PENDING (a transfer whose legs are in flight, which
 *                 is only remembered for retries)
 * @param entry    the ledger entry of the posting
 * @param leg      a transfer leg to send to the other account's task
 * @param transfer this account's view of a transfer to store
 * @param hold     a hold of this account to store, as the decision leaves it
 * @param positions the legs to the bank's FX position accounts a converted credit sends; empty otherwise
 */
public record Decision(Account newState, Outcome outcome, LedgerEntry entry, TransferLeg leg, Transfer transfer,
                       Hold hold, List<TransferLeg> positions) {

    public Decision(Account newState, Outcome outcome, LedgerEntry entry, TransferLeg leg, Transfer transfer,
                    Hold hold) {
        this(newState, outcome, entry, leg, transfer, hold, List.of());
    }

    public Decision(Account newState, Outcome outcome, LedgerEntry entry, TransferLeg leg, Transfer transfer) {
        this(newState, outcome, entry, leg, transfer, null);
    }

    /** The same decision, also sending {@code legs} to the bank's FX position accounts. */
    public Decision withPositions(List<TransferLeg> legs) {
        return new Decision(newState, outcome, entry, leg, transfer, hold, legs);
    }

    public Decision(Account newState, Outcome outcome, LedgerEntry entry) {
        this(newState, outcome, entry, null, null);
    }

    /**
     * The same decision, recorded as asked for by {@code who}: its outcome, ledger entry and transfer leg carry the
     * principal (the leg takes it to the other account's entries). Null leaves it as it is.
     */
    public Decision by(String who) {
        if (who == null) return this;
        return new Decision(newState, outcome == null ? null : outcome.by(who), entry == null ? null : entry.by(who),
                leg == null ? null : leg.by(who), transfer, hold, positions.stream().map(p -> p.by(who)).toList());
    }

    public boolean publishesOutcome() {
        return outcome != null && outcome.status() != OutcomeStatus.PENDING;
    }
}
