package dev.bank.processor.topology;

import dev.bank.processor.fraud.FraudProfile;
import dev.bank.schemas.Account;
import dev.bank.schemas.AccountEvent;
import dev.bank.schemas.FraudReview;
import dev.bank.schemas.HistoryEntry;
import dev.bank.schemas.Hold;
import dev.bank.schemas.ProcessedCommand;
import dev.bank.schemas.Transfer;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The stores of one stream task, typed, looked up once by their {@link BankTopology} names. The command and
 * the leg processor of a task share them (the topology connects both to every store), which is what puts a command
 * and a leg for the same account in one task, in log order, and everything one record writes in one transaction.
 *
 * @param accounts   accountId → {@link Account}
 * @param processed  account-scoped transactionId → {@link ProcessedCommand}
 * @param transfers  account-scoped transferId → {@link Transfer} as that account sees it
 * @param history    account-scoped sequence → {@link HistoryEntry} ({@link History})
 * @param holds      account-scoped holdId → {@link Hold}
 * @param holdExpiries the index of active holds by expiry ({@link HoldExpiry})
 * @param fraudProfiles accountId → {@link FraudProfile} ({@link FraudDesk})
 * @param fraudReviews account-scoped transactionId → {@link FraudReview}
 * @param events     account-scoped event sequence → {@link AccountEvent} ({@link AccountEvents})
 * @param index      what housekeeping deletes, by time ({@link TimeIndex}); processed, transfers, holds, fraudReviews
 *                   and history file what is written to them there ({@link IndexedStore})
 */
record TaskStores(KeyValueStore<String, Account> accounts,
                  KeyValueStore<String, ProcessedCommand> processed,
                  KeyValueStore<String, Transfer> transfers,
                  KeyValueStore<String, HistoryEntry> history,
                  KeyValueStore<String, Hold> holds,
                  KeyValueStore<String, String> holdExpiries,
                  KeyValueStore<String, FraudProfile> fraudProfiles,
                  KeyValueStore<String, FraudReview> fraudReviews,
                  KeyValueStore<String, AccountEvent> events,
                  TimeIndex index) {

    /**
     * The stores of the task a processor is initialised on; call from {@code init}.
     *
     * @param marks the low-water marks of the instance's time indexes, shared by a task's processors
     */
    static TaskStores of(ProcessorContext<?, ?> context, TimeIndex.Marks marks) {
        TimeIndex index = new TimeIndex(context.getStateStore(BankTopology.HOUSEKEEPING_STORE),
                marks.of(context.taskId()));
        return new TaskStores(context.getStateStore(BankTopology.ACCOUNTS_STORE),
                new IndexedStore<>(context.getStateStore(BankTopology.PROCESSED_STORE), index, Housekeeping::file),
                new IndexedStore<>(context.getStateStore(BankTopology.TRANSFERS_STORE), index, Housekeeping::file),
                new IndexedStore<>(context.getStateStore(BankTopology.HISTORY_STORE), index, Housekeeping::file),
                new IndexedStore<>(context.getStateStore(BankTopology.HOLDS_STORE), index, Housekeeping::file),
                context.getStateStore(BankTopology.HOLD_EXPIRIES_STORE),
                context.getStateStore(BankTopology.FRAUD_PROFILES_STORE),
                new IndexedStore<>(context.getStateStore(BankTopology.FRAUD_REVIEWS_STORE), index, Housekeeping::file),
                context.getStateStore(BankTopology.ACCOUNT_EVENTS_STORE),
                index);
    }
}
