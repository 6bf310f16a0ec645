package dev.bank.schemas;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.LocalDate;

/**
 * An account as the processor's accounts store holds it and its query API serves it. Schema:
 * {@code account.schema.json}.
 *
 * @param sequence        number of postings so far (the last ledger entry's sequence)
 * @param openedAt        epoch millis of the opening command record
 * @param interestRate    annual rate as an exact decimal string ({@code "0.025"} is 2.5% a year), fixed at
 *                        opening and changed by SET_INTEREST_RATE; null only for accounts opened before interest
 *                        existed, which earn the configured default
 * @param accruedInterest interest accrued but not yet posted, in minor units with sub-minor precision (a decimal
 *                        string such as {@code "0.4109589041"}); it is the remainder carried forward after each
 *                        posting, so it may be slightly negative after a half-even round-up
 * @param lastAccruedDate the last business date whose interest is accrued (in JSON as ISO {@code yyyy-MM-dd}); an
 *                        account is never accrued twice for one date
 * @param owner           the principal the account belongs to: only it (or an admin) reads it and moves its money;
 *                        null for accounts opened before ownership existed, which only admins reach
 * @param overdraftLimitMinor how far below zero debits and transfers out may take the balance (admin-set; 0: not
 *                        at all)
 * @param dailyOutflowLimitMinor the most that debits and transfers out may take out of the account in one business
 *                        day; null: no limit
 * @param debitInterestRate annual rate charged on a negative end-of-day balance, an exact decimal string; null: a
 *                        negative balance is charged nothing
 * @param outflowDate     the business date {@code outflowMinor} counts for; null before the first outflow
 * @param outflowMinor    what went out on {@code outflowDate}, held against the daily outflow limit
 * @param heldMinor       the sum of the account's active holds: reserved, so not available, but still in the balance
 * @param pendingTransfersOut transfers this account sent that are not yet completed or refunded: money in flight,
 *                        which keeps the account from being closed
 * @param closedAt        epoch millis of the command that closed the account; null while it is not closed
 * @param activeHolds     how many holds are active: an account may have at most {@link #MAX_ACTIVE_HOLDS}
 * @param holdsDueFrom    epoch millis before which none of the account's active holds can expire: a lower bound (it
 *                        may be earlier than the true first expiry, never later), so a command before it needs no
 *                        look at the expiry index; {@link #NO_HOLD_EXPIRES} when no active hold has an expiry; null
 *                        when not known (an account stored before this existed), which means: look
 * @param eventSequence   the sequence of the account's last event on the account events topic (postings, hold
 *                        changes, ready statements: {@link AccountEvent}); 0 before the first
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Account(String accountId, String currency, AccountStatus status, long balanceMinor, long sequence,
                      long openedAt, String interestRate, String accruedInterest,
                      @JsonFormat(shape = JsonFormat.Shape.STRING) LocalDate lastAccruedDate, String owner,
                      long overdraftLimitMinor, Long dailyOutflowLimitMinor, String debitInterestRate,
                      @JsonFormat(shape = JsonFormat.Shape.STRING) LocalDate outflowDate, long outflowMinor,
                      long heldMinor, int pendingTransfersOut, Long closedAt, int activeHolds, Long holdsDueFrom,
                      long eventSequence) {

    /** {@link #holdsDueFrom()} of an account none of whose active holds has an expiry. */
    public static final long NO_HOLD_EXPIRES = Long.MAX_VALUE;

    /** An account that has had no events yet (as stored before they existed). */
    public Account(String accountId, String currency, AccountStatus status, long balanceMinor, long sequence,
                   long openedAt, String interestRate, String accruedInterest, LocalDate lastAccruedDate,
                   String owner, long overdraftLimitMinor, Long dailyOutflowLimitMinor, String debitInterestRate,
                   LocalDate outflowDate, long outflowMinor, long heldMinor, int pendingTransfersOut, Long closedAt,
                   int activeHolds, Long holdsDueFrom) {
        this(accountId, currency, status, balanceMinor, sequence, openedAt, interestRate, accruedInterest,
                lastAccruedDate, owner, overdraftLimitMinor, dailyOutflowLimitMinor, debitInterestRate, outflowDate,
                outflowMinor, heldMinor, pendingTransfersOut, closedAt, activeHolds, holdsDueFrom, 0);
    }

    /** An account whose holds' next expiry is not known (as stored before it was kept). */
    public Account(String accountId, String currency, AccountStatus status, long balanceMinor, long sequence,
                   long openedAt, String interestRate, String accruedInterest, LocalDate lastAccruedDate,
                   String owner, long overdraftLimitMinor, Long dailyOutflowLimitMinor, String debitInterestRate,
                   LocalDate outflowDate, long outflowMinor, long heldMinor, int pendingTransfersOut, Long closedAt,
                   int activeHolds) {
        this(accountId, currency, status, balanceMinor, sequence, openedAt, interestRate, accruedInterest,
                lastAccruedDate, owner, overdraftLimitMinor, dailyOutflowLimitMinor, debitInterestRate, outflowDate,
                outflowMinor, heldMinor, pendingTransfersOut, closedAt, activeHolds, null);
    }

    /**
     * The most holds one account may have active at once: each is kept and listed, so an account placing holds of a
     * cent each must not grow its stores and its hold list without bound.
     */
    public static final int MAX_ACTIVE_HOLDS = 1_000;

    /** An account without limits, holds or transfers in flight, open or not yet closed. */
    public Account(String accountId, String currency, AccountStatus status, long balanceMinor, long sequence,
                   long openedAt, String interestRate, String accruedInterest, LocalDate lastAccruedDate,
                   String owner) {
        this(accountId, currency, status, balanceMinor, sequence, openedAt, interestRate, accruedInterest,
                lastAccruedDate, owner, 0, null, null, null, 0, 0, 0, null, 0, NO_HOLD_EXPIRES);
    }

    /** An account without an owner (as stored before ownership existed). */
    public Account(String accountId, String currency, AccountStatus status, long balanceMinor, long sequence,
                   long openedAt, String interestRate, String accruedInterest, LocalDate lastAccruedDate) {
        this(accountId, currency, status, balanceMinor, sequence, openedAt, interestRate, accruedInterest,
                lastAccruedDate, null);
    }

    /** An account without interest state (as stored before interest existed). */
    public Account(String accountId, String currency, AccountStatus status, long balanceMinor, long sequence,
                   long openedAt) {
        this(accountId, currency, status, balanceMinor, sequence, openedAt, null, null, null, null);
    }

    public Account withPosting(long newBalanceMinor) {
        return new Account(accountId, currency, status, newBalanceMinor, sequence + 1, openedAt, interestRate,
                accruedInterest, lastAccruedDate, owner, overdraftLimitMinor, dailyOutflowLimitMinor,
                debitInterestRate, outflowDate, outflowMinor, heldMinor, pendingTransfersOut, closedAt, activeHolds,
                holdsDueFrom, eventSequence);
    }

    public Account withInterestRate(String rate) {
        return new Account(accountId, currency, status, balanceMinor, sequence, openedAt, rate, accruedInterest,
                lastAccruedDate, owner, overdraftLimitMinor, dailyOutflowLimitMinor, debitInterestRate, outflowDate,
                outflowMinor, heldMinor, pendingTransfersOut, closedAt, activeHolds,
                holdsDueFrom, eventSequence);
    }

    /** The state after accruing {@code date}: the carried remainder and the date itself. */
    public Account withAccrual(String accrued, LocalDate date) {
        return new Account(accountId, currency, status, balanceMinor, sequence, openedAt, interestRate, accrued, date,
                owner, overdraftLimitMinor, dailyOutflowLimitMinor, debitInterestRate, outflowDate, outflowMinor,
                heldMinor, pendingTransfersOut, closedAt, activeHolds,
                holdsDueFrom, eventSequence);
    }

    /** The account in another lifecycle state; {@code at} is when it was closed (ignored for other states). */
    public Account withStatus(AccountStatus newStatus, long at) {
        return new Account(accountId, currency, newStatus, balanceMinor, sequence, openedAt, interestRate,
                accruedInterest, lastAccruedDate, owner, overdraftLimitMinor, dailyOutflowLimitMinor,
                debitInterestRate, outflowDate, outflowMinor, heldMinor, pendingTransfersOut,
                newStatus == AccountStatus.CLOSED ? Long.valueOf(at) : null, activeHolds, holdsDueFrom, eventSequence);
    }

    /** The account with new limits: each replaces the one before (a null daily limit or debit rate: none). */
    public Account withLimits(long overdraftMinor, Long dailyOutflowMinor, String debitRate) {
        return new Account(accountId, currency, status, balanceMinor, sequence, openedAt, interestRate,
                accruedInterest, lastAccruedDate, owner, overdraftMinor, dailyOutflowMinor, debitRate, outflowDate,
                outflowMinor, heldMinor, pendingTransfersOut, closedAt, activeHolds,
                holdsDueFrom, eventSequence);
    }

    /** The account after {@code amountMinor} went out on business date {@code date}, counted against its daily limit. */
    public Account withOutflow(LocalDate date, long amountMinor) {
        return new Account(accountId, currency, status, balanceMinor, sequence, openedAt, interestRate,
                accruedInterest, lastAccruedDate, owner, overdraftLimitMinor, dailyOutflowLimitMinor,
                debitInterestRate, date, Math.addExact(outflowOn(date), amountMinor), heldMinor, pendingTransfersOut,
                closedAt, activeHolds, holdsDueFrom, eventSequence);
    }

    /** The account with {@code change} more (or, negative, fewer) transfers out in flight. */
    public Account withTransfersOut(int change) {
        return new Account(accountId, currency, status, balanceMinor, sequence, openedAt, interestRate,
                accruedInterest, lastAccruedDate, owner, overdraftLimitMinor, dailyOutflowLimitMinor,
                debitInterestRate, outflowDate, outflowMinor, heldMinor, Math.max(0, pendingTransfersOut + change),
                closedAt, activeHolds, holdsDueFrom, eventSequence);
    }

    /** The account with {@code held} reserved by its active holds, {@code holdsChange} more (or fewer) of them. */
    public Account withHeld(long held, int holdsChange) {
        return new Account(accountId, currency, status, balanceMinor, sequence, openedAt, interestRate,
                accruedInterest, lastAccruedDate, owner, overdraftLimitMinor, dailyOutflowLimitMinor,
                debitInterestRate, outflowDate, outflowMinor, held, pendingTransfersOut, closedAt,
                Math.max(0, activeHolds + holdsChange), holdsDueFrom, eventSequence);
    }

    /**
     * The account with a hold expiring at {@code expiresAt} added to what {@link #holdsDueFrom()} bounds (an unknown
     * bound stays unknown).
     */
    public Account withHoldExpiring(long expiresAt) {
        return withHoldsDueFrom(holdsDueFrom == null ? null : Math.min(holdsDueFrom, expiresAt));
    }

    /** The account with {@link #holdsDueFrom()} set, after the expiry index was read. */
    public Account withHoldsDueFrom(Long dueFrom) {
        return new Account(accountId, currency, status, balanceMinor, sequence, openedAt, interestRate,
                accruedInterest, lastAccruedDate, owner, overdraftLimitMinor, dailyOutflowLimitMinor,
                debitInterestRate, outflowDate, outflowMinor, heldMinor, pendingTransfersOut, closedAt, activeHolds,
                dueFrom, eventSequence);
    }

    /** The account whose last event has sequence {@code last}. */
    public Account withEventSequence(long last) {
        return new Account(accountId, currency, status, balanceMinor, sequence, openedAt, interestRate,
                accruedInterest, lastAccruedDate, owner, overdraftLimitMinor, dailyOutflowLimitMinor,
                debitInterestRate, outflowDate, outflowMinor, heldMinor, pendingTransfersOut, closedAt, activeHolds,
                holdsDueFrom, last);
    }

    /** What went out on business date {@code date} so far. */
    public long outflowOn(LocalDate date) {
        return date.equals(outflowDate) ? outflowMinor : 0;
    }

    /**
     * What may still be taken out: the balance, less what active holds reserve, plus the overdraft limit. Money
     * arithmetic on the largest balances saturates instead of overflowing, which only ever makes less available.
     */
    public long availableMinor() {
        long unheld = balanceMinor - heldMinor; // both within [-2^62, 2^63): a balance never drops below -limit
        if (((balanceMinor ^ heldMinor) & (balanceMinor ^ unheld)) < 0) unheld = Long.MIN_VALUE;
        long available = unheld + overdraftLimitMinor;
        if (((unheld ^ available) & (overdraftLimitMinor ^ available)) < 0) available = Long.MAX_VALUE;
        return available;
    }

    /** Whether the principal may read this account and move its money: its owner, or an admin. */
    public boolean reachableBy(String principal, boolean admin) {
        return admin || (owner != null && owner.equals(principal));
    }
}
