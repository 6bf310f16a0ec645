package dev.bank.processor.topology;

import dev.bank.processor.config.InterestConfig;
import dev.bank.schemas.Account;
import dev.bank.schemas.EntryType;
import dev.bank.schemas.InterestRates;
import dev.bank.schemas.LedgerEntry;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;

/**
 * Daily interest as a pure function of (account, business date, that date's end-of-day balance): no clock, no
 * store. What is due is decided by the caller from a record timestamp; which balance counts is decided by the
 * history store ({@link History#balanceAsOf}).
 *
 * <p><b>Convention.</b> ACT/365 (fixed): every calendar day accrues {@code endOfDayBalance * rate / 365}, so a leap
 * year pays 366/365 of the annual rate. A positive balance earns the account's interest rate; a negative one (an
 * overdraft) is charged its debit rate, or nothing when it has none. Holds do not count: interest is paid on the
 * ledger balance and charged on its negative part. A day's accrual is kept with
 * {@value #ACCRUAL_SCALE} decimal places of a minor unit (rounded half-even there, an error below 1e-10 of a cent a
 * day). <b>Posting</b> (each day with DAILY, on the month's last day with MONTHLY) pays the accrued amount rounded
 * half-even to whole minor units and carries the remainder (within ±0.5 minor units) forward in
 * {@link Account#accruedInterest()}, so over any period the interest posted differs from the interest accrued by
 * less than one minor unit. A posting of zero writes no ledger entry; the amount just stays accrued. A net charge
 * is posted the same way as an INTEREST_CHARGE entry. Closing an account settles what is accrued at once
 * ({@link #settle}).
 *
 * <p>The INTEREST entry of business date D has transactionId {@code interest:D} and timestamp the last millisecond of
 * D in the business zone, so it belongs to D (and to D's month) and counts toward the balance from D+1 on: daily
 * posting compounds daily.
 */
public final class InterestLogic {
    public static final int ACCRUAL_SCALE = 10;
    public static final String TRANSACTION_PREFIX = "interest:";
    private static final BigDecimal DAYS_PER_YEAR = BigDecimal.valueOf(365);

    private final InterestConfig config;
    private final String defaultRate;

    public InterestLogic(InterestConfig config) {
        this.config = config;
        this.defaultRate = canonical(config.defaultRate());
    }

    public InterestConfig config() {
        return config;
    }

    /** The configured default rate's canonical text, written into accounts opened without a rate. */
    public String defaultRate() {
        return defaultRate;
    }

    /** The business date an instant falls on in the configured zone. */
    public LocalDate businessDate(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).atZone(config.zone()).toLocalDate();
    }

    /** Epoch millis of the first instant of a business date (a DST day may be 23 or 25 hours long). */
    public long startOfDay(LocalDate date) {
        return date.atStartOfDay(config.zone()).toInstant().toEpochMilli();
    }

    /** Epoch millis of the last millisecond of a business date: every posting at or before it counts for that day. */
    public long endOfDay(LocalDate date) {
        return startOfDay(date.plusDays(1)) - 1;
    }

    /** The last business date that has fully ended before {@code epochMillis}: the dates up to it may be accrued. */
    public LocalDate lastEndedDate(long epochMillis) {
        return businessDate(epochMillis).minusDays(1);
    }

    /**
     * The first date to accrue: the day after the last accrued one. An account from before interest existed (no
     * rate, no date) starts at {@code dueThrough}, so it is not paid retroactively for years.
     */
    public LocalDate nextAccrualDate(Account account, LocalDate dueThrough) {
        if (account.lastAccruedDate() != null) return account.lastAccruedDate().plusDays(1);
        return account.interestRate() == null ? dueThrough : businessDate(account.openedAt());
    }

    /** The date before an account's opening day: the opening day itself is the first one accrued. */
    public LocalDate accruedBeforeOpening(long openedAt) {
        return businessDate(openedAt).minusDays(1);
    }

    public BigDecimal rate(Account account) {
        return new BigDecimal(account.interestRate() == null ? defaultRate : account.interestRate());
    }

    /** The annual rate charged on a negative balance: the account's debit rate, or zero when it has none. */
    public static BigDecimal debitRate(Account account) {
        return account.debitInterestRate() == null ? BigDecimal.ZERO : new BigDecimal(account.debitInterestRate());
    }

    /**
     * One day's interest in minor units at {@value #ACCRUAL_SCALE} decimals, ACT/365: paid on a positive balance at
     * the account's rate, charged (negative) on a negative balance at its debit rate.
     */
    public BigDecimal dailyInterest(Account account, long endOfDayBalanceMinor) {
        return endOfDayBalanceMinor < 0
                ? dailyInterest(endOfDayBalanceMinor, debitRate(account))
                : dailyInterest(endOfDayBalanceMinor, rate(account));
    }

    /** One day's interest on a balance at an annual rate, in minor units at {@value #ACCRUAL_SCALE} decimals. */
    public static BigDecimal dailyInterest(long endOfDayBalanceMinor, BigDecimal annualRate) {
        if (endOfDayBalanceMinor == 0 || annualRate.signum() == 0) return BigDecimal.ZERO.setScale(ACCRUAL_SCALE);
        return BigDecimal.valueOf(endOfDayBalanceMinor).multiply(annualRate)
                .divide(DAYS_PER_YEAR, ACCRUAL_SCALE, RoundingMode.HALF_EVEN);
    }

    /** Whether interest accrued up to and including {@code date} is posted at its end. */
    public boolean postsOn(LocalDate date) {
        return config.posting() == InterestConfig.Posting.DAILY || date.plusDays(1).getDayOfMonth() == 1;
    }

    /**
     * Accrues one business date: adds its interest to the carried amount and, on a posting day, pays the rounded
     * whole minor units as an INTEREST entry. The account must not have accrued {@code date} yet.
     */
    public Decision accrueDay(Account account, LocalDate date, long endOfDayBalanceMinor) {
        BigDecimal accrued = carried(account).add(dailyInterest(account, endOfDayBalanceMinor));
        if (!postsOn(date)) return new Decision(account.withAccrual(plain(accrued), date), null, null);
        return post(account, accrued, date, TRANSACTION_PREFIX + date, endOfDay(date));
    }

    /**
     * Pays or charges at once what the account has accrued since its last posting, rounded half-even to whole minor
     * units, as closing the account asks; the remainder below half a minor unit stays in
     * {@link Account#accruedInterest()} (a closed account accrues no more). It is posted with the closing command's
     * timestamp and transactionId {@code interest:<date>:settled}: no day's posting uses it (a date's own posting is
     * {@code interest:<date>}), and a date has at most one settlement, since after one nothing more accrues until the
     * date has ended. The dates accrued stay as they were: the current one is not.
     *
     * @return the settlement (its entry null when nothing rounds to a minor unit)
     */
    public Decision settle(Account account, long timestamp) {
        return post(account, carried(account), account.lastAccruedDate(),
                TRANSACTION_PREFIX + businessDate(timestamp) + ":settled", timestamp);
    }

    private static BigDecimal carried(Account account) {
        return account.accruedInterest() == null ? BigDecimal.ZERO : new BigDecimal(account.accruedInterest());
    }

    /**
     * Posts the whole minor units of {@code accrued} (an INTEREST entry, or an INTEREST_CHARGE when negative) and
     * carries the remainder, with {@code accruedThrough} as the last date accrued; nothing is posted when they are zero
     * or the balance could not take them.
     */
    private Decision post(Account account, BigDecimal accrued, LocalDate accruedThrough, String transactionId, long at) {
        long posted = accrued.setScale(0, RoundingMode.HALF_EVEN).longValueExact();
        long newBalance;
        try {
            newBalance = Math.addExact(account.balanceMinor(), posted);
        } catch (ArithmeticException e) {
            posted = 0; // the largest balances keep it accrued
            newBalance = account.balanceMinor();
        }
        if (posted == 0) return new Decision(account.withAccrual(plain(accrued), accruedThrough), null, null);
        BigDecimal remainder = accrued.subtract(BigDecimal.valueOf(posted));
        Account after = account.withAccrual(plain(remainder), accruedThrough).withPosting(newBalance);
        LedgerEntry entry = new LedgerEntry(account.accountId(), transactionId,
                posted > 0 ? EntryType.INTEREST : EntryType.INTEREST_CHARGE, Math.abs(posted), account.currency(),
                account.balanceMinor(), newBalance, after.sequence(), at);
        return new Decision(after, null, entry);
    }

    private static String plain(BigDecimal accrued) {
        return accrued.setScale(ACCRUAL_SCALE, RoundingMode.HALF_EVEN).stripTrailingZeros().toPlainString();
    }

    private static String canonical(BigDecimal rate) {
        return InterestRates.canonical(rate.toPlainString());
    }
}
