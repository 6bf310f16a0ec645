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
 * <p><b>Convention.</b> ACT/365 (fixed): every calendar day accrues {@code max(0, endOfDayBalance) * rate / 365},
 * so a leap year pays 366/365 of the annual rate. Negative balances earn nothing. A day's accrual is kept with
 * {@value #ACCRUAL_SCALE} decimal places of a minor unit (rounded half-even there, an error below 1e-10 of a cent a
 * day). <b>Posting</b> (each day with DAILY, on the month's last day with MONTHLY) pays the accrued amount rounded
 * half-even to whole minor units and carries the remainder (within ±0.5 minor units) forward in
 * {@link Account#accruedInterest()}, so over any period the interest posted differs from the interest accrued by
 * less than one minor unit. A posting of zero writes no ledger entry; the amount just stays accrued.
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

    /** One day's interest in minor units at {@value #ACCRUAL_SCALE} decimals: ACT/365, nothing on a negative balance. */
    public static BigDecimal dailyInterest(long endOfDayBalanceMinor, BigDecimal annualRate) {
        if (endOfDayBalanceMinor <= 0 || annualRate.signum() == 0) return BigDecimal.ZERO.setScale(ACCRUAL_SCALE);
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
        BigDecimal carried = account.accruedInterest() == null ? BigDecimal.ZERO : new BigDecimal(account.accruedInterest());
        BigDecimal accrued = carried.add(dailyInterest(endOfDayBalanceMinor, rate(account)));
        long posted = 0;
        if (postsOn(date)) {
            posted = accrued.setScale(0, RoundingMode.HALF_EVEN).longValueExact();
            if (posted > 0 && account.balanceMinor() > Long.MAX_VALUE - posted) posted = 0; // keep it accrued
        }
        if (posted <= 0) {
            return new Decision(account.withAccrual(plain(accrued), date), null, null);
        }
        BigDecimal remainder = accrued.subtract(BigDecimal.valueOf(posted));
        Account after = account.withAccrual(plain(remainder), date).withPosting(account.balanceMinor() + posted);
        LedgerEntry entry = new LedgerEntry(account.accountId(), TRANSACTION_PREFIX + date, EntryType.INTEREST, posted,
                account.currency(), account.balanceMinor(), after.balanceMinor(), after.sequence(), endOfDay(date));
        return new Decision(after, null, entry);
    }

    private static String plain(BigDecimal accrued) {
        return accrued.setScale(ACCRUAL_SCALE, RoundingMode.HALF_EVEN).stripTrailingZeros().toPlainString();
    }

    private static String canonical(BigDecimal rate) {
        return InterestRates.canonical(rate.toPlainString());
    }
}
