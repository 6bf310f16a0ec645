package dev.bank.processor.topology;

import dev.bank.schemas.Account;
import dev.bank.schemas.AccountStatus;
import dev.bank.schemas.HistoryEntry;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

import java.time.LocalDate;
import java.time.YearMonth;

/**
 * Brings accounts' interest up to date within a task: the dates {@link InterestLogic} says are due, each from its
 * end-of-day balance in the history store, committed like any other decision. Both processors accrue before they
 * apply a command or leg to an account, and the {@link InterestWalk} for every account on an interest tick; it lives
 * here so the rule "ended days first, in date order, never twice" is written once. Accruing a month's last day also
 * tells the account's subscribers that the month's statement is ready.
 */
final class InterestAccrual {
    private final InterestLogic interest;
    private final KeyValueStore<String, Account> accounts;
    private final KeyValueStore<String, HistoryEntry> history;
    private final DecisionWriter writer;

    InterestAccrual(InterestLogic interest, TaskStores stores, DecisionWriter writer) {
        this.interest = interest;
        this.accounts = stores.accounts();
        this.history = stores.history();
        this.writer = writer;
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
    Account accrueDue(String accountId, Record<String, byte[]> cause) {
        return accrueDue(accounts.get(accountId), cause);
    }

    /** The same, for an account the caller has just read (null: it does not exist), so it is not read twice. */
    Account accrueDue(Account account, Record<String, byte[]> cause) {
        return accrueDue(account, cause, Integer.MAX_VALUE);
    }

    /**
     * The same, accruing at most {@code maxDates} of the due dates (the earliest): the {@link InterestWalk} catches an
     * account up over several slices when months are due.
     */
    Account accrueDue(Account account, Record<String, byte[]> cause, int maxDates) {
        if (account == null || account.status() == AccountStatus.CLOSED) return account;
        LocalDate dueThrough = interest.lastEndedDate(cause.timestamp());
        int accrued = 0;
        for (LocalDate date = interest.nextAccrualDate(account, dueThrough); !date.isAfter(dueThrough)
                && accrued < maxDates; date = date.plusDays(1), accrued++) {
            long endOfDayBalance = History.balanceAsOf(history, account, interest.endOfDay(date));
            Decision accrual = interest.accrueDay(account, date, endOfDayBalance);
            writer.commit(accrual, cause);
            account = accrual.newState();
            if (date.getDayOfMonth() == date.lengthOfMonth()) {
                // the month's last day is accrued (and, posting monthly, paid): its statement is complete
                writer.statementReady(account, YearMonth.from(date), cause);
            }
        }
        return account;
    }

    /** How many business dates of the account are due by {@code timestamp} and not accrued yet. */
    int datesDue(Account account, long timestamp) {
        if (account == null || account.status() == AccountStatus.CLOSED) return 0;
        LocalDate dueThrough = interest.lastEndedDate(timestamp);
        LocalDate next = interest.nextAccrualDate(account, dueThrough);
        return next.isAfter(dueThrough) ? 0 : (int) Math.min(Integer.MAX_VALUE,
                java.time.temporal.ChronoUnit.DAYS.between(next, dueThrough) + 1);
    }
}
