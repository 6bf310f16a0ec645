package dev.bank.processor.topology;

import dev.bank.processor.config.InterestConfig;
import dev.bank.schemas.Account;
import dev.bank.schemas.AccountStatus;
import dev.bank.schemas.EntryType;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The interest arithmetic on its own: ACT/365, sub-minor accrual, half-even posting with the remainder carried. */
class InterestLogicTest {

    private static InterestLogic logic(InterestConfig.Posting posting) {
        return new InterestLogic(new InterestConfig(BigDecimal.ZERO, ZoneId.of("UTC"), posting, Duration.ofDays(400),
                Duration.ofMinutes(1)));
    }

    private static Account account(long balance, String rate) {
        return new Account("a", "EUR", AccountStatus.OPEN, balance, 1, 0L, rate, "0", LocalDate.of(2024, 12, 31));
    }

    /** Accrues every day of a year on the same end-of-day balance (no compounding) and returns what was posted. */
    private static long postYear(InterestLogic logic, long balance, String rate, int year) {
        Account a = account(balance, rate);
        long posted = 0;
        for (LocalDate d = LocalDate.of(year, 1, 1); d.getYear() == year; d = d.plusDays(1)) {
            Decision decision = logic.accrueDay(a, d, balance);
            if (decision.entry() != null) posted += decision.entry().amountMinor();
            a = decision.newState();
        }
        return posted;
    }

    @Test
    void aYearOfDailyPostingsEqualsTheAnnualFigureWithinOneMinorUnit() {
        // 1234.57 EUR at 2.5%: the annual figure is 123457 * 0.025 = 3086.425 minor units
        long posted = postYear(logic(InterestConfig.Posting.DAILY), 123_457, "0.025", 2025);
        assertThat(Math.abs(posted - 3086.425)).isLessThan(1.0);
        // each day alone is 8.456 minor units: rounding each day without the carry would pay 8 * 365 = 2920
        assertThat(posted).isEqualTo(3086);
    }

    @Test
    void aLeapYearPays366DaysOfActualOver365() {
        long posted = postYear(logic(InterestConfig.Posting.DAILY), 365_000, "0.01", 2024);
        assertThat(posted).isEqualTo(3_660);
    }

    @Test
    void monthlyPostingPaysTheSameYearInTwelveEntries() {
        InterestLogic monthly = logic(InterestConfig.Posting.MONTHLY);
        Account a = account(123_457, "0.025");
        int entries = 0;
        long posted = 0;
        for (LocalDate d = LocalDate.of(2025, 1, 1); d.getYear() == 2025; d = d.plusDays(1)) {
            Decision decision = monthly.accrueDay(a, d, 123_457);
            if (decision.entry() != null) {
                entries++;
                posted += decision.entry().amountMinor();
                assertThat(decision.entry().transactionId()).isEqualTo("interest:" + d);
                assertThat(d.plusDays(1).getDayOfMonth()).isEqualTo(1);
            }
            a = decision.newState();
        }
        assertThat(entries).isEqualTo(12);
        assertThat(posted).isEqualTo(3086);
    }

    @Test
    void roundsHalfEvenOnPostingAndCarriesTheRemainderEvenWhenNegative() {
        // 0.5 minor units a day (182.5 minor units at 100% / 365): half-even posts 0, then 1 (1.0), ...
        InterestLogic daily = logic(InterestConfig.Posting.DAILY);
        Account a = account(18_250, "0.01");
        Decision first = daily.accrueDay(a, LocalDate.of(2025, 1, 1), 18_250);
        assertThat(first.entry()).as("0.5 rounds half-even to 0: nothing posted").isNull();
        assertThat(first.newState().accruedInterest()).isEqualTo("0.5");
        Decision second = daily.accrueDay(first.newState(), LocalDate.of(2025, 1, 2), 18_250);
        assertThat(second.entry().amountMinor()).isEqualTo(1);
        assertThat(second.entry().type()).isEqualTo(EntryType.INTEREST);
        assertThat(second.newState().accruedInterest()).isEqualTo("0");
        // 1.5 rounds to 2 and carries -0.5
        Decision third = daily.accrueDay(account(54_750, "0.01"), LocalDate.of(2025, 1, 3), 54_750);
        assertThat(third.entry().amountMinor()).isEqualTo(2);
        assertThat(third.newState().accruedInterest()).isEqualTo("-0.5");
    }

    @Test
    void negativeAndZeroBalancesAndZeroRatesEarnNothing() {
        InterestLogic daily = logic(InterestConfig.Posting.DAILY);
        assertThat(daily.dailyInterest(account(0, "0.05"), -100_000)).as("no debit rate: no charge").isZero();
        assertThat(InterestLogic.dailyInterest(0, new BigDecimal("0.05"))).isZero();
        assertThat(InterestLogic.dailyInterest(100_000, BigDecimal.ZERO)).isZero();
        Decision d = logic(InterestConfig.Posting.DAILY).accrueDay(account(0, "0.05"), LocalDate.of(2025, 1, 1), -5_000);
        assertThat(d.entry()).isNull();
        assertThat(d.newState().lastAccruedDate()).isEqualTo(LocalDate.of(2025, 1, 1));
    }

    @Test
    void anAccountFromBeforeInterestExistedStartsAtTheLastEndedDayNotAtItsOpening() {
        InterestLogic daily = logic(InterestConfig.Posting.DAILY);
        Account legacy = new Account("a", "EUR", AccountStatus.OPEN, 100, 1, 0L);
        assertThat(daily.nextAccrualDate(legacy, LocalDate.of(2025, 6, 1))).isEqualTo(LocalDate.of(2025, 6, 1));
        assertThat(daily.rate(legacy)).isEqualByComparingTo("0");
    }

    /** An account overdrawn within its limit, with a debit rate. */
    private static Account overdrawn(long balance, String debitRate) {
        return account(balance, "0.05").withLimits(1_000_000, null, debitRate);
    }

    @Test
    void aNegativeBalanceIsChargedTheDebitRateAndPostedAsAnInterestCharge() {
        InterestLogic daily = logic(InterestConfig.Posting.DAILY);
        // -3650.00 at 10% a year: 1.00 a day
        Account a = overdrawn(-365_000, "0.10");
        assertThat(daily.dailyInterest(a, -365_000)).isEqualByComparingTo("-100");
        Decision d = daily.accrueDay(a, LocalDate.of(2025, 1, 1), -365_000);
        assertThat(d.entry().type()).isEqualTo(EntryType.INTEREST_CHARGE);
        assertThat(d.entry().amountMinor()).isEqualTo(100);
        assertThat(d.entry().transactionId()).isEqualTo("interest:2025-01-01");
        assertThat(d.entry().balanceAfterMinor()).isEqualTo(-365_100);
        assertThat(d.newState().balanceMinor()).isEqualTo(-365_100);
        assertThat(d.newState().accruedInterest()).isEqualTo("0");
    }

    @Test
    void aPositiveBalanceEarnsTheCreditRateWhateverTheDebitRate() {
        InterestLogic daily = logic(InterestConfig.Posting.DAILY);
        Account a = account(365_000, "0.05").withLimits(0, null, "0.20");
        assertThat(daily.dailyInterest(a, 365_000)).isEqualByComparingTo("50");
    }

    @Test
    void aMonthOfChargesAndPaymentsNetsToOnePostingAtItsEnd() {
        InterestLogic monthly = logic(InterestConfig.Posting.MONTHLY);
        Account a = overdrawn(0, "0.365"); // 0.1% a day
        long[] balances = {-100_000, -100_000, 50_000};
        LocalDate d = LocalDate.of(2025, 1, 29);
        Decision last = null;
        for (long b : balances) {
            last = monthly.accrueDay(a, d, b);
            a = last.newState();
            d = d.plusDays(1);
        }
        // -1000.00 at 0.1% a day twice (-2.00) and 500.00 at 5%/365 once (+0.0685): -1.93 charged on the 31st
        assertThat(last.entry().type()).isEqualTo(EntryType.INTEREST_CHARGE);
        assertThat(last.entry().amountMinor()).isEqualTo(193);
    }

    @Test
    void settlingPostsWhatIsAccruedNowWithoutAccruingToday() {
        InterestLogic monthly = logic(InterestConfig.Posting.MONTHLY);
        Account a = new Account("a", "EUR", AccountStatus.OPEN, 0, 1, 0L, "0.05", "12.5", LocalDate.of(2025, 1, 9));
        long at = LocalDate.of(2025, 1, 10).atTime(12, 0).toInstant(java.time.ZoneOffset.UTC).toEpochMilli();
        Decision d = monthly.settle(a, at);
        assertThat(d.entry().type()).isEqualTo(EntryType.INTEREST);
        assertThat(d.entry().amountMinor()).isEqualTo(12); // half-even
        assertThat(d.entry().transactionId()).isEqualTo("interest:2025-01-10:settled");
        assertThat(d.entry().timestamp()).isEqualTo(at);
        assertThat(d.newState().accruedInterest()).isEqualTo("0.5");
        assertThat(d.newState().lastAccruedDate()).isEqualTo(LocalDate.of(2025, 1, 9));
        assertThat(monthly.settle(d.newState(), at + 1).entry()).as("nothing more the same day").isNull();
    }
}
