package dev.bank.processor.topology;

import dev.bank.processor.config.InterestConfig;
import dev.bank.schemas.Account;
import dev.bank.schemas.AccountStatus;
import dev.bank.schemas.Command;
import dev.bank.schemas.CommandType;
import dev.bank.schemas.EntryType;
import dev.bank.schemas.LegType;
import dev.bank.schemas.OutcomeStatus;
import dev.bank.schemas.RejectionReason;
import dev.bank.schemas.Transfer;
import dev.bank.schemas.TransferLeg;
import dev.bank.schemas.TransferStatus;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The money controls as pure decisions: overdraft and daily outflow limits at their boundaries, freezing, closing,
 * and who may set them. Generated sequences of commands are in {@code AccountControlsPropertiesTest}.
 */
class AccountControlsTest {
    private static final BigDecimal MAX = new BigDecimal("1000000");
    /** 2026-03-10T10:00Z; the business zone of the defaults is UTC. */
    private static final long T = LocalDate.of(2026, 3, 10).atTime(10, 0).toInstant(ZoneOffset.UTC).toEpochMilli();
    private static final long NEXT_DAY = T + 24 * 3_600_000L;

    private final AccountLogic logic = new AccountLogic(MAX, new InterestLogic(InterestConfig.defaults()));

    private static Account account(long balanceMinor) {
        return new Account("acc-1", "EUR", AccountStatus.OPEN, balanceMinor, 1, T - 1_000, "0", "0",
                LocalDate.of(2026, 3, 9), "alice");
    }

    private Account apply(Account account, Command command, long at) {
        Decision d = logic.apply(account, command, at);
        assertThat(d.outcome().status()).as("%s: %s", command.type(), d.outcome().detail())
                .isEqualTo(OutcomeStatus.ACCEPTED);
        return d.newState() == null ? account : d.newState();
    }

    private Account withLimits(Account account, String overdraft, String daily, String debitRate) {
        return apply(account, Command.setLimits("limits-" + overdraft + "-" + daily, "acc-1", overdraft, daily,
                debitRate), T);
    }

    private static void assertRejected(Decision d, RejectionReason reason) {
        assertThat(d.outcome().status()).isEqualTo(OutcomeStatus.REJECTED);
        assertThat(d.outcome().reason()).as(d.outcome().detail()).isEqualTo(reason);
        assertThat(d.entry()).isNull();
    }

    @Nested
    class Overdraft {
        @Test
        void aDebitMayTakeTheBalanceDownToMinusTheLimitAndNoFurther() {
            Account a = withLimits(account(10_00), "50.00", null, null);
            assertThat(a.availableMinor()).isEqualTo(60_00);
            Decision exact = logic.apply(a, Command.debit("d-1", "acc-1", "60.00"), T);
            assertThat(exact.outcome().status()).isEqualTo(OutcomeStatus.ACCEPTED);
            assertThat(exact.newState().balanceMinor()).isEqualTo(-50_00);
            assertThat(exact.entry().balanceAfterMinor()).isEqualTo(-50_00);
            assertThat(exact.newState().availableMinor()).isZero();

            Decision oneCentMore = logic.apply(a, Command.debit("d-2", "acc-1", "60.01"), T);
            assertRejected(oneCentMore, RejectionReason.INSUFFICIENT_FUNDS);
            assertThat(oneCentMore.outcome().detail()).contains("available 60.00 (balance 10.00, held 0.00, overdraft limit 50.00) EUR");
        }

        @Test
        void aTransferOutIsHeldToTheSameLimit() {
            Account a = withLimits(account(0), "20", null, null);
            assertThat(logic.apply(a, Command.transfer("x-1", "acc-1", "acc-2", "20.00", null), T).outcome().status())
                    .isEqualTo(OutcomeStatus.PENDING);
            assertRejected(logic.apply(a, Command.transfer("x-2", "acc-1", "acc-2", "20.01", null), T),
                    RejectionReason.INSUFFICIENT_FUNDS);
        }

        @Test
        void aLowerLimitThanTheAccountUsesIsAllowedAndNothingMoreLeaves() {
            Account overdrawn = apply(withLimits(account(0), "100", null, null), Command.debit("d-1", "acc-1", "80"), T);
            Account lowered = withLimits(overdrawn, "50", null, null);
            assertThat(lowered.balanceMinor()).isEqualTo(-80_00);
            assertThat(lowered.availableMinor()).isEqualTo(-30_00);
            assertRejected(logic.apply(lowered, Command.debit("d-2", "acc-1", "0.01"), T),
                    RejectionReason.INSUFFICIENT_FUNDS);
            // credits still come in
            assertThat(apply(lowered, Command.credit("c-1", "acc-1", "40"), T).availableMinor()).isEqualTo(10_00);
        }

        @Test
        void settingLimitsReplacesAllThreeAndAnOmittedOneIsNone() {
            Account a = withLimits(account(0), "100", "300", "0.12");
            assertThat(a.overdraftLimitMinor()).isEqualTo(100_00);
            assertThat(a.dailyOutflowLimitMinor()).isEqualTo(300_00);
            assertThat(a.debitInterestRate()).isEqualTo("0.12");
            Account b = withLimits(a, null, null, null);
            assertThat(b.overdraftLimitMinor()).isZero();
            assertThat(b.dailyOutflowLimitMinor()).isNull();
            assertThat(b.debitInterestRate()).isNull();
        }

        @ParameterizedTest
        @ValueSource(strings = {"0.001", "4611686018427387904", "1e3"})
        void refusesALimitTheCurrencyCannotHoldOrTooLarge(String limit) {
            Decision d = logic.apply(account(0), Command.setLimits("l-1", "acc-1", limit, null, null), T);
            assertRejected(d, RejectionReason.INVALID_AMOUNT);
            assertThat(d.newState()).isNull();
        }

        @Test
        void aZeroLimitIsNoOverdraft() {
            assertThat(withLimits(account(5_00), "0", "0.00", null).availableMinor()).isEqualTo(5_00);
        }

        @Test
        void onlyAnAdminSetsLimits() {
            Command byOwner = Command.setLimits("l-1", "acc-1", "1000", null, null).by("alice", false);
            Decision d = logic.apply(account(0), byOwner, T);
            assertRejected(d, RejectionReason.INVALID_COMMAND);
            assertThat(d.newState()).isNull();
            Command byAdmin = Command.setLimits("l-2", "acc-1", "1000", null, null).by("ops", true);
            assertThat(logic.apply(account(0), byAdmin, T).newState().overdraftLimitMinor()).isEqualTo(1000_00);
        }
    }

    @Nested
    class DailyOutflow {
        @Test
        void debitsAndTransfersOutShareTheDaysLimitExactlyUpToIt() {
            Account a = withLimits(account(1_000_00), null, "100", null);
            a = apply(a, Command.debit("d-1", "acc-1", "60"), T);
            Decision transfer = logic.apply(a, Command.transfer("x-1", "acc-1", "acc-2", "40.00", null), T + 1);
            assertThat(transfer.outcome().status()).isEqualTo(OutcomeStatus.PENDING);
            a = transfer.newState();
            assertThat(a.outflowOn(LocalDate.of(2026, 3, 10))).isEqualTo(100_00);
            Decision over = logic.apply(a, Command.debit("d-2", "acc-1", "0.01"), T + 2);
            assertRejected(over, RejectionReason.LIMIT_EXCEEDED);
            assertThat(over.outcome().detail()).contains("daily limit of 100.00").contains("100.00 already out")
                    .doesNotContain("balance");
        }

        @Test
        void theNextBusinessDayStartsAfresh() {
            Account a = apply(withLimits(account(1_000_00), null, "100", null), Command.debit("d-1", "acc-1", "100"), T);
            Account next = apply(a, Command.debit("d-2", "acc-1", "100"), NEXT_DAY);
            assertThat(next.outflowDate()).isEqualTo(LocalDate.of(2026, 3, 11));
            assertThat(next.outflowMinor()).isEqualTo(100_00);
        }

        @Test
        void creditsDoNotCountAndDoNotRaiseTheLimit() {
            Account a = apply(withLimits(account(0), null, "10", null), Command.credit("c-1", "acc-1", "500"), T);
            assertThat(a.outflowMinor()).isZero();
            assertRejected(logic.apply(a, Command.debit("d-1", "acc-1", "10.01"), T), RejectionReason.LIMIT_EXCEEDED);
        }
    }

    @Nested
    class Freezing {
        private Account frozen() {
            return apply(account(100_00), Command.of(CommandType.FREEZE_ACCOUNT, "f-1", "acc-1"), T);
        }

        @Test
        void aFrozenAccountRefusesWhatTakesMoneyOut() {
            Account a = frozen();
            assertThat(a.status()).isEqualTo(AccountStatus.FROZEN);
            assertRejected(logic.apply(a, Command.debit("d-1", "acc-1", "1"), T), RejectionReason.ACCOUNT_FROZEN);
            assertRejected(logic.apply(a, Command.transfer("x-1", "acc-1", "acc-2", "1", null), T),
                    RejectionReason.ACCOUNT_FROZEN);
        }

        @Test
        void aFrozenAccountTakesCreditsIncomingTransfersAndSettings() {
            Account a = frozen();
            assertThat(apply(a, Command.credit("c-1", "acc-1", "5"), T).balanceMinor()).isEqualTo(105_00);
            TransferLeg in = new TransferLeg(LegType.CREDIT, "x-9", "acc-2", "acc-1", 7_00, "EUR", null, null, null,
                    null);
            Decision credited = logic.applyCredit(a, in, T);
            assertThat(credited.newState().balanceMinor()).isEqualTo(107_00);
            assertThat(credited.leg().type()).isEqualTo(LegType.COMPLETED);
            assertThat(apply(a, Command.setInterestRate("r-1", "acc-1", "0.02"), T).interestRate()).isEqualTo("0.02");
            assertThat(withLimits(a, "10", null, null).status()).isEqualTo(AccountStatus.FROZEN);
        }

        @Test
        void unfreezingOpensItAgainAndBothAreIdempotentStates() {
            Account a = frozen();
            assertThat(apply(a, Command.of(CommandType.FREEZE_ACCOUNT, "f-2", "acc-1"), T).status())
                    .isEqualTo(AccountStatus.FROZEN);
            Account open = apply(a, Command.of(CommandType.UNFREEZE_ACCOUNT, "u-1", "acc-1"), T);
            assertThat(open.status()).isEqualTo(AccountStatus.OPEN);
            assertThat(apply(open, Command.of(CommandType.UNFREEZE_ACCOUNT, "u-2", "acc-1"), T).status())
                    .isEqualTo(AccountStatus.OPEN);
            assertThat(apply(open, Command.debit("d-1", "acc-1", "1"), T).balanceMinor()).isEqualTo(99_00);
        }

        @ParameterizedTest
        @EnumSource(value = CommandType.class, names = {"FREEZE_ACCOUNT", "UNFREEZE_ACCOUNT"})
        void onlyAnAdminFreezesOrUnfreezes(CommandType type) {
            Decision byOwner = logic.apply(account(0), Command.of(type, "f-1", "acc-1").by("alice", false), T);
            assertRejected(byOwner, RejectionReason.INVALID_COMMAND);
            assertThat(byOwner.newState()).isNull();
        }
    }

    @Nested
    class Closing {
        private final Command close = Command.of(CommandType.CLOSE_ACCOUNT, "close-1", "acc-1").by("alice", false);

        @Test
        void anEmptyAccountClosesAndThenRefusesEveryCommandButStaysReadable() {
            Decision d = logic.apply(account(0), close, T);
            assertThat(d.outcome().status()).isEqualTo(OutcomeStatus.ACCEPTED);
            Account closed = d.newState();
            assertThat(closed.status()).isEqualTo(AccountStatus.CLOSED);
            assertThat(closed.closedAt()).isEqualTo(T);
            for (Command c : new Command[] {Command.credit("c-1", "acc-1", "1"), Command.debit("d-1", "acc-1", "1"),
                    Command.transfer("x-1", "acc-1", "acc-2", "1", null), Command.setLimits("l-1", "acc-1", "1", null, null),
                    Command.of(CommandType.FREEZE_ACCOUNT, "f-1", "acc-1"),
                    Command.of(CommandType.UNFREEZE_ACCOUNT, "u-1", "acc-1"),
                    Command.of(CommandType.CLOSE_ACCOUNT, "close-2", "acc-1"),
                    Command.setInterestRate("r-1", "acc-1", "0.01")}) {
                assertRejected(logic.apply(closed, c, T + 1), RejectionReason.ACCOUNT_CLOSED);
            }
        }

        @Test
        void anIncomingTransferToAClosedAccountIsRefunded() {
            Account closed = logic.apply(account(0), close, T).newState();
            TransferLeg in = new TransferLeg(LegType.CREDIT, "x-9", "acc-2", "acc-1", 7_00, "EUR", null, null, null,
                    null);
            Decision d = logic.applyCredit(closed, in, T + 1);
            assertThat(d.newState()).isNull();
            assertThat(d.leg().type()).isEqualTo(LegType.REFUND);
            assertThat(d.leg().reason()).isEqualTo(RejectionReason.ACCOUNT_CLOSED);
        }

        @ParameterizedTest
        @ValueSource(longs = {1, -1})
        void refusesWhileTheBalanceIsNotZero(long balance) {
            Decision d = logic.apply(account(balance), close, T);
            assertRejected(d, RejectionReason.ACCOUNT_NOT_EMPTY);
            assertThat(d.outcome().detail()).contains("balance is " + (balance > 0 ? "0.01" : "-0.01"));
            assertThat(d.newState()).isNull();
        }

        @Test
        void refusesWithATransferOutInFlightAndClosesOnceItCompleted() {
            Account funded = account(10_00);
            Decision sent = logic.apply(funded, Command.transfer("x-1", "acc-1", "acc-2", "10", null), T);
            Account inFlight = sent.newState();
            assertThat(inFlight.balanceMinor()).isZero();
            assertThat(inFlight.pendingTransfersOut()).isEqualTo(1);
            Decision refused = logic.apply(inFlight, close, T);
            assertRejected(refused, RejectionReason.ACCOUNT_NOT_EMPTY);
            assertThat(refused.outcome().detail()).contains("in flight");

            Decision completed = logic.complete(inFlight, sent.transfer(), T + 1);
            assertThat(completed.newState().pendingTransfersOut()).isZero();
            assertThat(logic.apply(completed.newState(), close, T + 2).newState().status())
                    .isEqualTo(AccountStatus.CLOSED);
        }

        @Test
        void aRefundedTransferGivesTheMoneyBackAndEndsTheFlight() {
            Decision sent = logic.apply(account(10_00), Command.transfer("x-1", "acc-1", "acc-2", "10", null), T);
            Transfer pending = sent.transfer();
            TransferLeg refund = sent.leg().answer(LegType.REFUND, RejectionReason.ACCOUNT_CLOSED, "closed");
            Decision refunded = logic.refund(sent.newState(), pending, refund, T + 1);
            assertThat(refunded.newState().balanceMinor()).isEqualTo(10_00);
            assertThat(refunded.newState().pendingTransfersOut()).isZero();
            assertThat(refunded.transfer().status()).isEqualTo(TransferStatus.REFUNDED);
        }

        @Test
        void settlesInterestAccruedSinceTheLastPostingAndAsksForItToBeWithdrawn() {
            // 0.6 of a cent accrued this month: paid at once, so the balance is no longer zero
            Account accrued = new Account("acc-1", "EUR", AccountStatus.OPEN, 0, 3, T - 1_000, "0.01", "37.6",
                    LocalDate.of(2026, 3, 9), "alice");
            Decision d = logic.apply(accrued, close, T);
            assertThat(d.outcome().reason()).isEqualTo(RejectionReason.ACCOUNT_NOT_EMPTY);
            assertThat(d.outcome().detail()).contains("balance is 0.38 EUR").contains("interest of 0.38");
            assertThat(d.entry().type()).isEqualTo(EntryType.INTEREST);
            assertThat(d.entry().amountMinor()).isEqualTo(38);
            assertThat(d.entry().transactionId()).isEqualTo("interest:2026-03-10:settled");
            assertThat(d.newState().balanceMinor()).isEqualTo(38);
            assertThat(d.newState().accruedInterest()).isEqualTo("-0.4");
            assertThat(d.newState().lastAccruedDate()).as("the current day is not accrued").isEqualTo(LocalDate.of(2026, 3, 9));
            // withdrawn, it closes: nothing more to settle the same day
            Account withdrawn = apply(d.newState(), Command.debit("d-1", "acc-1", "0.38"), T + 1);
            Decision closed = logic.apply(withdrawn, close.by("alice", false), T + 2);
            assertThat(closed.outcome().status()).isEqualTo(OutcomeStatus.ACCEPTED);
            assertThat(closed.entry()).isNull();
        }

        @Test
        void settlesADebitInterestChargeAsAnInterestCharge() {
            Account owing = new Account("acc-1", "EUR", AccountStatus.OPEN, 0, 3, T - 1_000, "0.01", "-120.5",
                    LocalDate.of(2026, 3, 9), "alice");
            Decision d = logic.apply(owing, close, T);
            assertThat(d.entry().type()).isEqualTo(EntryType.INTEREST_CHARGE);
            assertThat(d.entry().amountMinor()).isEqualTo(120);
            assertThat(d.newState().balanceMinor()).isEqualTo(-120);
            assertThat(d.outcome().detail()).contains("interest of -1.20");
        }

        @Test
        void aFrozenEmptyAccountCanBeClosed() {
            Account frozen = apply(account(0), Command.of(CommandType.FREEZE_ACCOUNT, "f-1", "acc-1"), T);
            assertThat(logic.apply(frozen, close, T).newState().status()).isEqualTo(AccountStatus.CLOSED);
        }
    }
}
