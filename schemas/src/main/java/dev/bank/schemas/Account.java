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
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Account(String accountId, String currency, AccountStatus status, long balanceMinor, long sequence,
                      long openedAt, String interestRate, String accruedInterest,
                      @JsonFormat(shape = JsonFormat.Shape.STRING) LocalDate lastAccruedDate, String owner) {

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
                accruedInterest, lastAccruedDate, owner);
    }

    public Account withInterestRate(String rate) {
        return new Account(accountId, currency, status, balanceMinor, sequence, openedAt, rate, accruedInterest,
                lastAccruedDate, owner);
    }

    /** The state after accruing {@code date}: the carried remainder and the date itself. */
    public Account withAccrual(String accrued, LocalDate date) {
        return new Account(accountId, currency, status, balanceMinor, sequence, openedAt, interestRate, accrued, date,
                owner);
    }

    /** Whether the principal may read this account and move its money: its owner, or an admin. */
    public boolean reachableBy(String principal, boolean admin) {
        return admin || (owner != null && owner.equals(principal));
    }
}
