package dev.bank.processor.topology;

import dev.bank.processor.config.InterestConfig;
import dev.bank.schemas.Account;
import dev.bank.schemas.AccountStatus;
import dev.bank.schemas.Command;
import dev.bank.schemas.CommandType;
import dev.bank.schemas.EntryType;
import dev.bank.schemas.Hold;
import dev.bank.schemas.HoldStatus;
import dev.bank.schemas.OutcomeStatus;
import dev.bank.schemas.RejectionReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;

import static org.assertj.core.api.Assertions.assertThat;

/** Holds as pure decisions: placing, capturing in part and in full, voiding, expiring, and their boundaries. */
class HoldLogicTest {
    private static final long T = Instant.parse("2026-03-10T10:00:00Z").toEpochMilli();
    private static final String IN_AN_HOUR = "2026-03-10T11:00:00Z";

    private final AccountLogic logic = new AccountLogic(new BigDecimal("1000000"),
            new InterestLogic(InterestConfig.defaults()));

    private static Account account(long balance) {
        return new Account("acc-1", "EUR", AccountStatus.OPEN, balance, 1, T - 1_000, "0", "0",
                LocalDate.of(2026, 3, 9), "alice");
    }

    private Decision place(Account account, String amount) {
        return logic.apply(account, Command.placeHold("h-1", "acc-1", amount, IN_AN_HOUR, "hotel"), T, null);
    }

    @Test
    void placingReservesTheAmountWithoutPostingAnything() {
        Decision d = place(account(100_00), "30.00");
        assertThat(d.outcome().status()).isEqualTo(OutcomeStatus.ACCEPTED);
        assertThat(d.entry()).as("a hold is not a posting").isNull();
        assertThat(d.newState().balanceMinor()).isEqualTo(100_00);
        assertThat(d.newState().heldMinor()).isEqualTo(30_00);
        assertThat(d.newState().availableMinor()).isEqualTo(70_00);
        assertThat(d.newState().sequence()).isEqualTo(1);
        Hold hold = d.hold();
        assertThat(hold).isEqualTo(new Hold("h-1", "acc-1", 30_00, 0, "EUR", "hotel", HoldStatus.ACTIVE,
                Instant.parse(IN_AN_HOUR).toEpochMilli(), T, null));
        assertThat(d.outcome().holdId()).isEqualTo("h-1");
        assertThat(d.outcome().holdRemainingMinor()).isEqualTo(30_00);
        assertThat(d.outcome().availableMinor()).isEqualTo(70_00);
    }

    @Test
    void aHoldIsCheckedAgainstTheAvailableBalanceToTheCent() {
        Account a = account(100_00).withLimits(20_00, null, null);
        assertThat(place(a, "120.00").outcome().status()).isEqualTo(OutcomeStatus.ACCEPTED);
        Decision over = place(a, "120.01");
        assertThat(over.outcome().reason()).isEqualTo(RejectionReason.INSUFFICIENT_FUNDS);
        assertThat(over.newState()).isNull();
        assertThat(over.hold()).isNull();
    }

    @Test
    void debitsAndTransfersSeeTheHeldMoneyAsGone() {
        Account held = place(account(100_00), "30").newState();
        assertThat(logic.apply(held, Command.debit("d-1", "acc-1", "70.00"), T).outcome().status())
                .isEqualTo(OutcomeStatus.ACCEPTED);
        Decision tooMuch = logic.apply(held, Command.debit("d-2", "acc-1", "70.01"), T);
        assertThat(tooMuch.outcome().reason()).isEqualTo(RejectionReason.INSUFFICIENT_FUNDS);
        assertThat(tooMuch.outcome().detail()).contains("held 30.00");
        assertThat(logic.apply(held, Command.transfer("x-1", "acc-1", "acc-2", "70.01", null), T).outcome().reason())
                .isEqualTo(RejectionReason.INSUFFICIENT_FUNDS);
    }

    @Test
    void capturesInPartSeveralTimesThenTheRestAndNothingMore() {
        Decision placed = place(account(100_00), "30");
        Account a = placed.newState();
        Hold h = placed.hold();

        Decision first = logic.apply(a, Command.captureHold("c-1", "acc-1", "h-1", "10.00"), T + 1, h);
        assertThat(first.entry().type()).isEqualTo(EntryType.HOLD_CAPTURE);
        assertThat(first.entry().amountMinor()).isEqualTo(10_00);
        assertThat(first.entry().balanceAfterMinor()).isEqualTo(90_00);
        assertThat(first.entry().reference()).isEqualTo("hotel");
        assertThat(first.newState().heldMinor()).isEqualTo(20_00);
        assertThat(first.newState().availableMinor()).as("a capture takes what was reserved").isEqualTo(70_00);
        assertThat(first.hold().status()).isEqualTo(HoldStatus.ACTIVE);
        assertThat(first.hold().capturedMinor()).isEqualTo(10_00);
        assertThat(first.outcome().holdRemainingMinor()).isEqualTo(20_00);

        Decision rest = logic.apply(first.newState(), Command.captureHold("c-2", "acc-1", "h-1", null), T + 2,
                first.hold());
        assertThat(rest.entry().amountMinor()).as("no amount: all that is left").isEqualTo(20_00);
        assertThat(rest.hold().status()).isEqualTo(HoldStatus.CAPTURED);
        assertThat(rest.hold().closedAt()).isEqualTo(T + 2);
        assertThat(rest.newState().heldMinor()).isZero();
        assertThat(rest.newState().balanceMinor()).isEqualTo(70_00);

        Decision again = logic.apply(rest.newState(), Command.captureHold("c-3", "acc-1", "h-1", "0.01"), T + 3,
                rest.hold());
        assertThat(again.outcome().reason()).isEqualTo(RejectionReason.HOLD_NOT_ACTIVE);
        assertThat(again.newState()).isNull();
        assertThat(again.entry()).isNull();
    }

    @Test
    void aCaptureAboveWhatIsLeftIsRefusedAndChangesNothing() {
        Decision placed = place(account(100_00), "30");
        Decision over = logic.apply(placed.newState(), Command.captureHold("c-1", "acc-1", "h-1", "30.01"), T,
                placed.hold());
        assertThat(over.outcome().reason()).isEqualTo(RejectionReason.HOLD_EXCEEDED);
        assertThat(over.outcome().detail()).contains("30.00 left on hold h-1");
        assertThat(over.newState()).isNull();
        assertThat(over.hold()).isNull();
    }

    @Test
    void voidingReleasesWhatIsLeftAndKeepsWhatWasCaptured() {
        Decision placed = place(account(100_00), "30");
        Decision part = logic.apply(placed.newState(), Command.captureHold("c-1", "acc-1", "h-1", "12"), T,
                placed.hold());
        Decision voided = logic.apply(part.newState(), Command.voidHold("v-1", "acc-1", "h-1"), T + 1, part.hold());
        assertThat(voided.entry()).isNull();
        assertThat(voided.hold().status()).isEqualTo(HoldStatus.VOIDED);
        assertThat(voided.hold().capturedMinor()).isEqualTo(12_00);
        assertThat(voided.outcome().amountMinor()).as("what was released").isEqualTo(18_00);
        assertThat(voided.newState().heldMinor()).isZero();
        assertThat(voided.newState().balanceMinor()).isEqualTo(88_00);
        assertThat(voided.newState().availableMinor()).isEqualTo(88_00);
        Decision twice = logic.apply(voided.newState(), Command.voidHold("v-2", "acc-1", "h-1"), T + 2,
                voided.hold());
        assertThat(twice.outcome().reason()).isEqualTo(RejectionReason.HOLD_NOT_ACTIVE);
    }

    @Test
    void expiringReleasesWhatIsLeftExactlyLikeAVoid() {
        Decision placed = place(account(100_00), "30");
        Decision expired = logic.expire(placed.newState(), placed.hold(), Instant.parse(IN_AN_HOUR).toEpochMilli());
        assertThat(expired.outcome()).isNull();
        assertThat(expired.entry()).isNull();
        assertThat(expired.hold().status()).isEqualTo(HoldStatus.EXPIRED);
        assertThat(expired.newState().heldMinor()).isZero();
        assertThat(placed.hold().expiredBy(Instant.parse(IN_AN_HOUR).toEpochMilli() - 1)).isFalse();
        assertThat(placed.hold().expiredBy(Instant.parse(IN_AN_HOUR).toEpochMilli())).isTrue();
    }

    @Test
    void unknownHoldsAreNotFound() {
        Decision d = logic.apply(account(0), Command.captureHold("c-1", "acc-1", "nope", null), T, null);
        assertThat(d.outcome().reason()).isEqualTo(RejectionReason.HOLD_NOT_FOUND);
        assertThat(logic.apply(account(0), Command.voidHold("v-1", "acc-1", "nope"), T, null).outcome().reason())
                .isEqualTo(RejectionReason.HOLD_NOT_FOUND);
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-03-10T10:00:00Z", "2026-03-10T09:00:00Z", "2026-03-10T11:00:00+02:00"})
    void anExpiryThatHasPassedIsRefused(String expiresAt) {
        Decision d = logic.apply(account(100_00), Command.placeHold("h-1", "acc-1", "1", expiresAt, null), T, null);
        assertThat(d.outcome().reason()).isEqualTo(RejectionReason.INVALID_COMMAND);
        assertThat(d.outcome().detail()).contains("already passed");
    }

    @Test
    void aFrozenAccountPlacesNoHoldButItsHoldsMayStillBeCaptured() {
        Decision placed = place(account(100_00), "30");
        Account frozen = logic.apply(placed.newState(), Command.of(CommandType.FREEZE_ACCOUNT, "f-1", "acc-1"), T)
                .newState();
        assertThat(logic.apply(frozen, Command.placeHold("h-2", "acc-1", "1", null, null), T, null).outcome().reason())
                .isEqualTo(RejectionReason.ACCOUNT_FROZEN);
        assertThat(logic.apply(frozen, Command.captureHold("c-1", "acc-1", "h-1", "5"), T, placed.hold())
                .outcome().status()).isEqualTo(OutcomeStatus.ACCEPTED);
    }

    @Test
    void capturesCountTowardTheDailyOutflowLimit() {
        Account limited = account(100_00).withLimits(0, 25_00L, null);
        Decision placed = place(limited, "30");
        Decision over = logic.apply(placed.newState(), Command.captureHold("c-1", "acc-1", "h-1", null), T,
                placed.hold());
        assertThat(over.outcome().reason()).isEqualTo(RejectionReason.LIMIT_EXCEEDED);
        Decision within = logic.apply(placed.newState(), Command.captureHold("c-2", "acc-1", "h-1", "25"), T,
                placed.hold());
        assertThat(within.newState().outflowMinor()).isEqualTo(25_00);
    }

    @Test
    void anAccountWithAnActiveHoldCannotCloseEvenAtAZeroBalance() {
        // a hold on an empty account, within its overdraft limit
        Decision placed = place(account(0).withLimits(30_00, null, null), "30");
        Decision close = logic.apply(placed.newState(), Command.of(CommandType.CLOSE_ACCOUNT, "close-1", "acc-1"), T);
        assertThat(close.outcome().reason()).isEqualTo(RejectionReason.ACCOUNT_NOT_EMPTY);
        assertThat(close.outcome().detail()).contains("30.00 EUR is held");
        Decision voided = logic.apply(placed.newState(), Command.voidHold("v-1", "acc-1", "h-1"), T, placed.hold());
        assertThat(logic.apply(voided.newState(), Command.of(CommandType.CLOSE_ACCOUNT, "close-2", "acc-1"), T)
                .newState().status()).isEqualTo(AccountStatus.CLOSED);
    }

    @Test
    void aHoldIdUsedBeforeIsAConflict() {
        Decision placed = place(account(100_00), "30");
        Decision again = logic.apply(placed.newState(), Command.placeHold("h-1", "acc-1", "1", null, null), T,
                placed.hold());
        assertThat(again.outcome().reason()).isEqualTo(RejectionReason.IDEMPOTENCY_CONFLICT);
    }

    @Test
    void anAccountHasAtMostAThousandActiveHolds() {
        Account a = account(100_00);
        for (int i = 0; i < Account.MAX_ACTIVE_HOLDS; i++) {
            Decision d = logic.apply(a, Command.placeHold("h-" + i, "acc-1", "0.01", null, null), T, null);
            assertThat(d.outcome().status()).isEqualTo(OutcomeStatus.ACCEPTED);
            a = d.newState();
        }
        assertThat(a.activeHolds()).isEqualTo(Account.MAX_ACTIVE_HOLDS);
        Decision one = logic.apply(a, Command.placeHold("h-more", "acc-1", "0.01", null, null), T, null);
        assertThat(one.outcome().reason()).isEqualTo(RejectionReason.LIMIT_EXCEEDED);
        assertThat(one.outcome().detail()).contains("1000 active holds");
        // one ended, one more may be placed
        Hold first = new Hold("h-0", "acc-1", 1, 0, "EUR", null, HoldStatus.ACTIVE, null, T, null);
        Account fewer = logic.apply(a, Command.voidHold("v-1", "acc-1", "h-0"), T, first).newState();
        assertThat(fewer.activeHolds()).isEqualTo(Account.MAX_ACTIVE_HOLDS - 1);
        assertThat(logic.apply(fewer, Command.placeHold("h-more", "acc-1", "0.01", null, null), T, null).outcome()
                .status()).isEqualTo(OutcomeStatus.ACCEPTED);
    }
}
