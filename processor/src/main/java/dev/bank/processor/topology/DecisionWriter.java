package dev.bank.processor.topology;

import dev.bank.schemas.Account;
import dev.bank.schemas.AccountEvent;
import dev.bank.schemas.AccountEventType;
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
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.YearMonth;

/**
 * Writes what a record caused: a {@link Decision} (the account, transfer and hold to the stores, the posting to the
 * history, then outcome, ledger entry and leg to their sinks, each keyed by the account it concerns) or an outcome
 * alone. Every record written carries its cause's timestamp, and outcomes and legs its request id and reply partition,
 * and an outcome whose cause names a valid reply partition is also replied there ({@link Replies}), so this is the
 * one place those rules live. Both processors of a task write through it, all in that task's Kafka transaction.
 */
final class DecisionWriter {
    private static final Logger log = LoggerFactory.getLogger(DecisionWriter.class);

    private final ProcessorContext<String, byte[]> context;
    /** The same context, to forward to the replies sink, whose key is a {@link Replies.Address}. */
    private final ProcessorContext<Replies.Address, byte[]> replies;
    /** The partition count of the replies topic, as the broker had it when this instance started. */
    private final int replyPartitions;
    private final KeyValueStore<String, Account> accounts;
    private final KeyValueStore<String, Transfer> transfers;
    private final KeyValueStore<String, HistoryEntry> history;
    private final KeyValueStore<String, Hold> holds;
    private final KeyValueStore<String, String> holdExpiries;
    private final KeyValueStore<String, AccountEvent> events;
    private final int eventsKept;
    /** What this task writes (its sinks are these topics): names with their serdes. */
    private final Topic<Outcome> results;
    private final Topic<LedgerEntry> ledger;
    private final Topic<TransferLeg> legs;
    private final Topic<HoldEvent> holdEvents;
    private final Topic<FraudAlert> fraudAlerts;
    private final Topic<AccountEvent> accountEvents;
    private final TopologyMetrics metrics;

    DecisionWriter(ProcessorContext<String, byte[]> context, TaskStores stores, Topics topics, int eventsKept,
                   TopologyMetrics metrics) {
        this.context = context;
        this.replies = repliesContext(context);
        this.replyPartitions = topics.replyPartitions();
        this.accounts = stores.accounts();
        this.transfers = stores.transfers();
        this.history = stores.history();
        this.holds = stores.holds();
        this.holdExpiries = stores.holdExpiries();
        this.events = stores.events();
        this.eventsKept = eventsKept;
        this.results = topics.resultsTopic();
        this.ledger = topics.ledgerTopic();
        this.legs = topics.transferLegsTopic();
        this.holdEvents = topics.holdsTopic();
        this.fraudAlerts = topics.fraudAlertsTopic();
        this.accountEvents = topics.accountEventsTopic();
        this.metrics = metrics;
    }

    void commit(Decision decision, Record<String, byte[]> cause) {
        Hold hold = decision.hold();
        HoldEvent holdChange = hold == null ? null : holdEvent(hold, decision, cause);
        Account state = decision.newState();
        if (state != null || decision.entry() != null || holdChange != null) {
            state = withEvents(state, decision.entry(), holdChange, null, cause);
        }
        if (state != null) {
            accounts.put(state.accountId(), state);
        }
        Transfer transfer = decision.transfer();
        if (transfer != null) {
            transfers.put(BankTopology.accountScopedKey(transfer.ownerAccountId(), transfer.storeId()), transfer);
        }
        if (hold != null) {
            holds.put(BankTopology.accountScopedKey(hold.accountId(), hold.holdId()), hold);
            HoldExpiry.index(holdExpiries, hold);
            forward(hold.accountId(), holdEvents.serialize(holdChange), BankTopology.HOLDS_SINK, cause);
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
            // the leg takes the request id and reply partition on to the transfer's final outcome
            forward(leg.targetAccountId(), legs.serialize(leg), BankTopology.TRANSFER_LEGS_SINK, cause,
                    requestHeaders(cause, leg.targetAccountId(), leg.transferId()));
        }
        for (TransferLeg position : decision.positions()) {
            forward(position.targetAccountId(), legs.serialize(position), BankTopology.TRANSFER_LEGS_SINK, cause);
        }
    }

    /**
     * Tells subscribers that the account's statement for {@code month} is complete (its last day's interest is
     * posted): a {@code statement.ready} event, committed with the account's new event sequence.
     */
    void statementReady(Account account, YearMonth month, Record<String, byte[]> cause) {
        accounts.put(account.accountId(), withEvents(account, null, null, month, cause));
    }

    /**
     * The account after the events of one decision (none, for a decision that changes the account without a posting
     * or a hold), which are stored and published here, in the order subscribers see them: the posting, then the hold
     * change (a capture is both), or a ready statement. The sequence continues from the account as stored, not as
     * the decision carries it: a caller may build its next decision on an account it had before its previous one was
     * written (an accrual, then the command), and a sequence must never repeat or go back.
     */
    private Account withEvents(Account state, LedgerEntry entry, HoldEvent holdChange, YearMonth statement,
                               Record<String, byte[]> cause) {
        String accountId = state != null ? state.accountId()
                : entry != null ? entry.accountId() : holdChange.accountId();
        Account stored = accounts.get(accountId);
        if (state == null) state = stored;
        if (state == null) return null; // nothing to report on: an event needs the account's balance
        long sequence = Math.max(state.eventSequence(), stored == null ? 0 : stored.eventSequence());
        if (entry != null) {
            publish(state, ++sequence, AccountEventType.POSTING_CREATED, entry, null, null, cause);
        }
        if (holdChange != null) {
            publish(state, ++sequence, AccountEventType.of(holdChange.event()), null, holdChange, null, cause);
        }
        if (statement != null) {
            publish(state, ++sequence, AccountEventType.STATEMENT_READY, null, null, statement.toString(), cause);
        }
        return state.withEventSequence(sequence);
    }

    private void publish(Account state, long sequence, AccountEventType type, LedgerEntry entry, HoldEvent holdChange,
                         String statementMonth, Record<String, byte[]> cause) {
        AccountEvent event = new AccountEvent(state.accountId(), sequence, type, cause.timestamp(), state.currency(),
                state.balanceMinor(), state.availableMinor(), state.heldMinor(), state.owner(), entry, holdChange,
                statementMonth);
        AccountEvents.append(events, event, eventsKept);
        forward(state.accountId(), accountEvents.serialize(event), BankTopology.ACCOUNT_EVENTS_SINK, cause);
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

    /**
     * An outcome to the results topic and, when its cause asks for a reply (a request id and a valid reply partition),
     * the same record to that partition of the replies topic: both in this task's transaction, so a gateway never reads
     * a reply whose outcome is not on the results topic, nor the other way round.
     */
    void publish(Outcome outcome, Record<String, byte[]> cause) {
        metrics.outcome(outcome);
        RecordHeaders headers = requestHeaders(cause, outcome.accountId(), outcome.transactionId());
        byte[] value = results.serialize(outcome);
        forward(outcome.accountId(), value, BankTopology.RESULTS_SINK, cause, headers);
        Header replyTo = headers.lastHeader(WireHeaders.REPLY_PARTITION);
        if (replyTo != null && headers.lastHeader(WireHeaders.REQUEST_ID) != null) {
            int partition = Integer.parseInt(new String(replyTo.value(), StandardCharsets.UTF_8)); // checked: ours
            replies.forward(new Record<>(new Replies.Address(outcome.accountId(), partition), value,
                    cause.timestamp(), new RecordHeaders(headers.toArray())), BankTopology.REPLIES_SINK);
        }
    }

    private void forward(String key, byte[] value, String sink, Record<String, byte[]> cause) {
        forward(key, value, sink, cause, new RecordHeaders());
    }

    private void forward(String key, byte[] value, String sink, Record<String, byte[]> cause, RecordHeaders headers) {
        // the cause's timestamp, never the clock: reprocessing must emit identical records
        context.forward(new Record<>(key, value, cause.timestamp(), headers), sink);
    }

    /**
     * The request id of the command behind a record ({@link WireHeaders#REQUEST_ID}) and the partition its answer is
     * to be replied to ({@link WireHeaders#REPLY_PARTITION}), for its outcome and for the legs that lead to its
     * outcome, so the gateway answers each request with its own command's outcome. A reply partition that is not a
     * valid one is left out, counted and logged here, once for the record it would have gone on: the outcome is
     * still written, and nothing the header says can make the task write to a partition that does not exist.
     */
    private RecordHeaders requestHeaders(Record<String, byte[]> cause, String accountId, String transactionId) {
        RecordHeaders headers = new RecordHeaders();
        String requestId = WireHeaders.requestId(cause.headers());
        if (requestId != null) headers.add(WireHeaders.REQUEST_ID, requestId.getBytes(StandardCharsets.UTF_8));
        WireHeaders.ReplyTo replyTo = WireHeaders.replyTo(cause.headers(), replyPartitions);
        if (replyTo.valid()) {
            headers.add(WireHeaders.REPLY_PARTITION, WireHeaders.replyPartition(replyTo.partition()));
        } else if (replyTo.refusal() != null) {
            metrics.replySkipped(replyTo.refusal());
            log.info("reply skipped ({}: {}), the outcome is on the results topic only accountId={} transactionId={}",
                    replyTo.refusal(), replyTo.detail(), accountId, transactionId);
        }
        return headers;
    }

    /**
     * The processors forward String keys everywhere but to the replies sink, whose key is an {@link Replies.Address}
     * (a partitioner sees no headers). Forwarding is not typed past the node: the sink's own serializer takes it.
     */
    @SuppressWarnings("unchecked")
    private static ProcessorContext<Replies.Address, byte[]> repliesContext(ProcessorContext<String, byte[]> context) {
        return (ProcessorContext<Replies.Address, byte[]>) (ProcessorContext<?, ?>) context;
    }
}
