package dev.bank.processor.topology;

import dev.bank.schemas.Account;
import dev.bank.schemas.FraudAlert;
import dev.bank.schemas.HistoryEntry;
import dev.bank.schemas.Hold;
import dev.bank.schemas.HoldEvent;
import dev.bank.schemas.HoldStatus;
import dev.bank.schemas.LedgerEntry;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.Topic;
import dev.bank.schemas.Topics;
import dev.bank.schemas.Transfer;
import dev.bank.schemas.TransferLeg;
import dev.bank.schemas.WireHeaders;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

import java.nio.charset.StandardCharsets;

/**
 * Writes what a record caused: a {@link Decision} (the account, transfer and hold to the stores, the posting to the
 * history, then outcome, ledger entry and leg to their sinks, each keyed by the account it concerns) or an outcome
 * alone. Every record written carries its cause's timestamp, and outcomes and legs its request id, so this is the
 * one place those rules live. Both processors of a task write through it, all in that task's Kafka transaction.
 */
final class DecisionWriter {
    private final ProcessorContext<String, byte[]> context;
    private final KeyValueStore<String, Account> accounts;
    private final KeyValueStore<String, Transfer> transfers;
    private final KeyValueStore<String, HistoryEntry> history;
    private final KeyValueStore<String, Hold> holds;
    private final KeyValueStore<String, String> holdExpiries;
    /** What this task writes (its sinks are these topics): names with their serdes. */
    private final Topic<Outcome> results;
    private final Topic<LedgerEntry> ledger;
    private final Topic<TransferLeg> legs;
    private final Topic<HoldEvent> holdEvents;
    private final Topic<FraudAlert> fraudAlerts;
    private final TopologyMetrics metrics;

    DecisionWriter(ProcessorContext<String, byte[]> context, TaskStores stores, Topics topics,
                   TopologyMetrics metrics) {
        this.context = context;
        this.accounts = stores.accounts();
        this.transfers = stores.transfers();
        this.history = stores.history();
        this.holds = stores.holds();
        this.holdExpiries = stores.holdExpiries();
        this.results = topics.resultsTopic();
        this.ledger = topics.ledgerTopic();
        this.legs = topics.transferLegsTopic();
        this.holdEvents = topics.holdsTopic();
        this.fraudAlerts = topics.fraudAlertsTopic();
        this.metrics = metrics;
    }

    void commit(Decision decision, Record<String, byte[]> cause) {
        if (decision.newState() != null) {
            accounts.put(decision.newState().accountId(), decision.newState());
        }
        Transfer transfer = decision.transfer();
        if (transfer != null) {
            transfers.put(BankTopology.accountScopedKey(transfer.ownerAccountId(), transfer.storeId()), transfer);
        }
        Hold hold = decision.hold();
        if (hold != null) {
            holds.put(BankTopology.accountScopedKey(hold.accountId(), hold.holdId()), hold);
            HoldExpiry.index(holdExpiries, hold);
            forward(hold.accountId(), holdEvents.serialize(holdEvent(hold, decision, cause)),
                    BankTopology.HOLDS_SINK, cause);
        }
        if (decision.publishesOutcome()) {
            publish(decision.outcome(), cause);
        }
        if (decision.entry() != null) {
            History.append(history, decision.entry());
            metrics.posting(decision.entry().type());
            forward(decision.entry().accountId(), ledger.serialize(decision.entry()), BankTopology.LEDGER_SINK,
                    cause);
        }
        if (decision.leg() != null) {
            TransferLeg leg = decision.leg();
            forward(leg.targetAccountId(), legs.serialize(leg), BankTopology.TRANSFER_LEGS_SINK, cause,
                    requestHeader(cause));
        }
        for (TransferLeg position : decision.positions()) {
            forward(position.targetAccountId(), legs.serialize(position), BankTopology.TRANSFER_LEGS_SINK, cause);
        }
    }

    /**
     * What a decision did to a hold, for the holds topic: a capture posts an entry; a void or an expiry ends the
     * hold and releases what was left of it; otherwise the hold is new.
     */
    private static HoldEvent holdEvent(Hold after, Decision decision, Record<String, byte[]> cause) {
        HoldEvent.Type type;
        long amount;
        if (decision.entry() != null) {
            type = HoldEvent.Type.CAPTURED;
            amount = decision.entry().amountMinor();
        } else if (after.status() == HoldStatus.VOIDED || after.status() == HoldStatus.EXPIRED) {
            type = after.status() == HoldStatus.EXPIRED ? HoldEvent.Type.EXPIRED : HoldEvent.Type.VOIDED;
            amount = after.amountMinor() - after.capturedMinor();
        } else {
            type = HoldEvent.Type.PLACED;
            amount = after.amountMinor();
        }
        String transactionId = decision.outcome() == null ? null : decision.outcome().transactionId();
        return new HoldEvent(after.accountId(), after.holdId(), type, amount, transactionId, cause.timestamp(), after);
    }

    /** A fraud decision or the end of a review, for operators ({@link FraudDesk}). */
    void alert(FraudAlert alert, Record<String, byte[]> cause) {
        forward(alert.accountId(), fraudAlerts.serialize(alert), BankTopology.FRAUD_ALERTS_SINK, cause);
    }

    void publish(Outcome outcome, Record<String, byte[]> cause) {
        metrics.outcome(outcome);
        forward(outcome.accountId(), results.serialize(outcome), BankTopology.RESULTS_SINK, cause,
                requestHeader(cause));
    }

    private void forward(String key, byte[] value, String sink, Record<String, byte[]> cause) {
        forward(key, value, sink, cause, new RecordHeaders());
    }

    private void forward(String key, byte[] value, String sink, Record<String, byte[]> cause, RecordHeaders headers) {
        // the cause's timestamp, never the clock: reprocessing must emit identical records
        context.forward(new Record<>(key, value, cause.timestamp(), headers), sink);
    }

    /**
     * The request id of the command behind a record ({@link WireHeaders#REQUEST_ID}), for its outcome and for the
     * legs that lead to its outcome, so the gateway answers each request with its own command's outcome.
     */
    private static RecordHeaders requestHeader(Record<String, byte[]> cause) {
        String requestId = WireHeaders.requestId(cause.headers());
        RecordHeaders headers = new RecordHeaders();
        if (requestId == null) return headers;
        headers.add(WireHeaders.REQUEST_ID, requestId.getBytes(StandardCharsets.UTF_8));
        return headers;
    }
}
