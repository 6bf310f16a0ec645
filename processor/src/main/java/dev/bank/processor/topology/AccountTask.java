package dev.bank.processor.topology;

import dev.bank.schemas.Account;
import dev.bank.schemas.AccountStatus;
import dev.bank.schemas.HistoryEntry;
import dev.bank.schemas.Topic;
import dev.bank.schemas.Topics;
import dev.bank.schemas.LedgerEntry;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.ProcessedCommand;
import dev.bank.schemas.Transfer;
import dev.bank.schemas.TransferLeg;
import dev.bank.schemas.WireHeaders;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * What the command and leg processors of one task share: its stores, writing a {@link Decision} (state, then
 * outcome, ledger entry and leg to their topics, each keyed by the account it concerns), and dead letters.
 * Both run on the same stream task, so everything one record causes commits in one Kafka transaction.
 */
abstract class AccountTask implements Processor<String, byte[], String, byte[]> {
    private static final Logger log = LoggerFactory.getLogger(AccountTask.class);

    protected final AccountLogic logic;
    /** What this task writes (its sinks are these topics) and the transfer legs it reads: names with their serdes. */
    private final Topic<Outcome> results;
    private final Topic<LedgerEntry> ledger;
    protected final Topic<TransferLeg> legs;
    protected final TopologyMetrics metrics;
    private final RecordFailures failures;
    /** The partition count of the input topics, which the key's partition is computed with. */
    protected final int partitions;
    protected ProcessorContext<String, byte[]> context;
    protected KeyValueStore<String, Account> accounts;
    protected KeyValueStore<String, ProcessedCommand> processed;
    protected KeyValueStore<String, Transfer> transfers;
    protected KeyValueStore<String, HistoryEntry> history;

    AccountTask(AccountLogic logic, TopologyMetrics metrics, RecordFailures failures, Topics topics) {
        this.logic = logic;
        this.results = topics.resultsTopic();
        this.ledger = topics.ledgerTopic();
        this.legs = topics.transferLegsTopic();
        this.metrics = metrics;
        this.failures = failures;
        this.partitions = topics.partitions();
    }

    /**
     * Handles one record; a record whose handling failed {@link RecordFailures#MAX_ATTEMPTS} times is dead-lettered
     * unhandled instead, so no record can stop its partition. A failure still propagates: the stream thread is
     * replaced and the transaction aborted, so nothing a failed attempt half-did is kept.
     */
    @Override
    public final void process(Record<String, byte[]> record) {
        RecordMetadata source = context.recordMetadata().orElse(null);
        String setAside = source == null ? null : failures.setAside(source);
        if (setAside != null) {
            deadLetter(record, DeadLetter.PROCESSING_FAILED, "failed " + RecordFailures.MAX_ATTEMPTS
                    + " times and was set aside; last error: " + setAside);
            failures.forget(source);
            return;
        }
        try {
            handle(record);
        } catch (RuntimeException e) {
            if (source != null && failures.failed(source, e)) {
                log.error("processing {}-{}@{} failed (key={}); the task retries it", source.topic(),
                        source.partition(), source.offset(), DeadLetters.bounded(record.key(), DeadLetters.MAX_KEY_CHARS), e);
            }
            throw e;
        }
    }

    protected abstract void handle(Record<String, byte[]> record);

    /** The partition Kafka's default partitioner puts a key on (murmur2 of its UTF-8 bytes), as every Java producer does. */
    protected boolean onItsPartition(String key) {
        return context.recordMetadata().map(m -> m.partition() == partitionOf(key, partitions)).orElse(true);
    }

    static int partitionOf(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.accounts = context.getStateStore(BankTopology.ACCOUNTS_STORE);
        this.processed = context.getStateStore(BankTopology.PROCESSED_STORE);
        this.transfers = context.getStateStore(BankTopology.TRANSFERS_STORE);
        this.history = context.getStateStore(BankTopology.HISTORY_STORE);
    }

    protected void commit(Decision decision, Record<String, byte[]> cause) {
        if (decision.newState() != null) {
            accounts.put(decision.newState().accountId(), decision.newState());
        }
        Transfer transfer = decision.transfer();
        if (transfer != null) {
            String owner = transfer.direction() == Transfer.Direction.OUT ? transfer.fromAccountId() : transfer.toAccountId();
            transfers.put(BankTopology.accountScopedKey(owner, transfer.transferId()), transfer);
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
    }

    /**
     * Accrues interest for every business date of the account that ended before the record's timestamp and is not
     * accrued yet, in date order, each from its end-of-day balance in the history store. It runs before a command or
     * leg is applied to the account and for every account on an interest tick, so what is accrued depends only on
     * the records in log order and their timestamps, never on when they happen to be processed. A date is never
     * accrued twice: {@link Account#lastAccruedDate()} commits with the postings.
     *
     * @return the account as it stands after the accruals (null when it does not exist), so the caller need not
     *         read and deserialise it again
     */
    protected Account accrueDue(String accountId, Record<String, byte[]> cause) {
        return accrueDue(accounts.get(accountId), cause);
    }

    /** The same, for an account the caller has just read (null: it does not exist), so it is not read twice. */
    protected Account accrueDue(Account account, Record<String, byte[]> cause) {
        if (account == null || account.status() == AccountStatus.CLOSED) return account;
        InterestLogic interest = logic.interest();
        LocalDate dueThrough = interest.lastEndedDate(cause.timestamp());
        for (LocalDate date = interest.nextAccrualDate(account, dueThrough); !date.isAfter(dueThrough);
             date = date.plusDays(1)) {
            long endOfDayBalance = History.balanceAsOf(history, account, interest.endOfDay(date));
            Decision accrual = interest.accrueDay(account, date, endOfDayBalance);
            commit(accrual, cause);
            account = accrual.newState();
        }
        return account;
    }

    /**
     * An interest tick (see {@link InterestTicks}): accrues every account of this task up to the tick's time, and
     * drops history entries older than the retention.
     */
    protected void processInterestTick(Record<String, byte[]> tick) {
        List<String> ids = new ArrayList<>();
        try (KeyValueIterator<String, Account> it = accounts.all()) {
            it.forEachRemaining(kv -> ids.add(kv.key));
        }
        long cutoff = tick.timestamp() - logic.interest().config().historyRetention().toMillis();
        int purged = 0;
        for (String id : ids) {
            accrueDue(id, tick);
            purged += History.purge(history, id, cutoff);
        }
        log.info("interest tick at {}: {} accounts brought up to date through {}, {} history entries past retention dropped",
                java.time.Instant.ofEpochMilli(tick.timestamp()), ids.size(),
                logic.interest().lastEndedDate(tick.timestamp()), purged);
    }

    protected void publish(Outcome outcome, Record<String, byte[]> cause) {
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

    /** Writes the record's dead letter ({@link DeadLetters}: always small enough to be written). */
    protected void deadLetter(Record<String, byte[]> record, DeadLetter reason, String detail) {
        context.forward(DeadLetters.letter(record, context.recordMetadata(), reason, detail),
                BankTopology.DEAD_LETTER_SINK);
        metrics.deadLetter(reason);
        log.warn("dead-lettered record key={} reason={} detail={}",
                DeadLetters.bounded(record.key(), DeadLetters.MAX_KEY_CHARS), reason,
                DeadLetters.bounded(detail, DeadLetters.MAX_DETAIL_CHARS));
    }
}
