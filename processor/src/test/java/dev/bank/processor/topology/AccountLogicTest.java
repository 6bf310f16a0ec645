package dev.bank.processor.topology;

import dev.bank.schemas.Account;
import dev.bank.schemas.AccountStatus;
import dev.bank.schemas.Command;
import dev.bank.schemas.CommandType;
import dev.bank.schemas.EntryType;
import dev.bank.schemas.LedgerEntry;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.OutcomeStatus;
import dev.bank.schemas.RejectionReason;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pure decision function on its own: every outcome and rejection, the ledger entry it produces, and that it
 * is deterministic (the property exactly-once reprocessing relies on). No Kafka here.
 */
class AccountLogicTest {
    private static final BigDecimal MAX = new BigDecimal("1000000");
    private static final long OPENED_AT = 1_700_000_000_000L;
    private static final long T = 1_700_000_360_000L;

    private final AccountLogic logic = new AccountLogic(MAX);

    /** An open EUR account with the given balance and number of postings so far. */
    private static Account eurAccount(long balanceMinor, long sequence) {
        return new Account("acc-1", "EUR", AccountStatus.OPEN, balanceMinor, sequence, OPENED_AT);
    }

    private static void assertRejected(Decision decision, RejectionReason reason) {
        assertThat(decision.outcome().status()).isEqualTo(OutcomeStatus.REJECTED);
        assertThat(decision.outcome().reason()).isEqualTo(reason);
        assertThat(decision.outcome().detail()).isNotBlank();
        assertThat(decision.outcome().replayed()).isFalse();
        assertThat(decision.newState()).as("a rejection changes no state").isNull();
        assertThat(decision.entry()).as("a rejection posts nothing").isNull();
    }

    @Nested
    class Opening {
        @Test
        void opensAccountWithoutDepositAtZeroBalanceAndPostsNothing() {
            // Given no account
            // When
            Decision d = logic.apply(null, Command.open("t-1", "acc-1", "EUR", null), T);
            // Then
            assertThat(d.newState()).isEqualTo(new Account("acc-1", "EUR", AccountStatus.OPEN, 0, 0, T));
            assertThat(d.entry()).isNull();
            Outcome o = d.outcome();
            assertThat(o.status()).isEqualTo(OutcomeStatus.ACCEPTED);
            assertThat(o.type()).isEqualTo(CommandType.OPEN_ACCOUNT);
            assertThat(o.transactionId()).isEqualTo("t-1");
            assertThat(o.accountId()).isEqualTo("acc-1");
            assertThat(o.amountMinor()).isZero();
            assertThat(o.balanceMinor()).isZero();
            assertThat(o.currency()).isEqualTo("EUR");
            assertThat(o.sequence()).isZero();
            assertThat(o.reason()).isNull();
            assertThat(o.timestamp()).isEqualTo(T);
        }

        @Test
        void opensAccountWithOpeningDepositAsFirstPosting() {
            // Given no account
            // When
            Decision d = logic.apply(null, Command.open("t-1", "acc-1", "EUR", "1000"), T);
            // Then
            assertThat(d.newState()).isEqualTo(new Account("acc-1", "EUR", AccountStatus.OPEN, 100_000, 1, T));
            assertThat(d.outcome().status()).isEqualTo(OutcomeStatus.ACCEPTED);
            assertThat(d.outcome().amountMinor()).isEqualTo(100_000);
            assertThat(d.outcome().balanceMinor()).isEqualTo(100_000);
            assertThat(d.outcome().sequence()).isEqualTo(1);
            assertThat(d.entry()).isEqualTo(new LedgerEntry("acc-1", "t-1", EntryType.OPENING_DEPOSIT, 100_000,
                    "EUR", 0, 100_000, 1, T));
        }

        @Test
        void opensJpyAccountInWholeYenBecauseJpyHasNoFractionDigits() {
            // Given no account
            // When
            Decision d = logic.apply(null, Command.open("t-1", "acc-jp", "JPY", "1000"), T);
            // Then
            assertThat(d.newState().currency()).isEqualTo("JPY");
            assertThat(d.newState().balanceMinor()).isEqualTo(1000);
            assertThat(d.entry().amountMinor()).isEqualTo(1000);
        }

        @Test
        void rejectsJpyOpeningDepositWithFractionDigits() {
            // When
            Decision d = logic.apply(null, Command.open("t-1", "acc-jp", "JPY", "1000.5"), T);
            // Then
            assertRejected(d, RejectionReason.INVALID_AMOUNT);
            assertThat(d.outcome().balanceMinor()).as("no account exists").isNull();
            assertThat(d.outcome().currency()).isNull();
        }

        @ParameterizedTest(name = "currency [{0}]")
        @NullAndEmptySource
        @ValueSource(strings = {"eur", "EURO", "QQQ", "12A", " EUR"})
        void rejectsOpeningWithMissingOrInvalidCurrencyAsInvalidCommand(String currency) {
            // When
            Decision d = logic.apply(null, Command.open("t-1", "acc-1", currency, "10"), T);
            // Then
            assertRejected(d, RejectionReason.INVALID_COMMAND);
        }

        @ParameterizedTest(name = "deposit [{0}]")
        @ValueSource(strings = {"0", "0.00", "-5", "abc", "", "1e3", "10.001", "1000000.01"})
        void rejectsOpeningWithBadDepositAsInvalidAmount(String deposit) {
            // When
            Decision d = logic.apply(null, Command.open("t-1", "acc-1", "EUR", deposit), T);
            // Then
            assertRejected(d, RejectionReason.INVALID_AMOUNT);
        }

        @Test
        void rejectsOpeningAnExistingAccountAsDuplicateAndKeepsIt() {
            // Given
            Account existing = eurAccount(5_000, 3);
            // When
            Decision d = logic.apply(existing, Command.open("t-9", "acc-1", "USD", "10"), T);
            // Then
            assertRejected(d, RejectionReason.DUPLICATE_ACCOUNT);
            assertThat(d.outcome().balanceMinor()).as("the existing balance is not disclosed").isNull();
            assertThat(d.outcome().currency()).isNull();
        }
    }

    @Nested
    class Postings {
        @Test
        void creditsAccount() {
            // Given
            Account account = eurAccount(10_000, 1);
            // When
            Decision d = logic.apply(account, Command.credit("t-2", "acc-1", "12.34"), T);
            // Then
            assertThat(d.newState()).isEqualTo(eurAccount(11_234, 2));
            assertThat(d.outcome().status()).isEqualTo(OutcomeStatus.ACCEPTED);
            assertThat(d.outcome().type()).isEqualTo(CommandType.CREDIT);
            assertThat(d.outcome().amountMinor()).isEqualTo(1_234);
            assertThat(d.outcome().balanceMinor()).isEqualTo(11_234);
            assertThat(d.outcome().sequence()).isEqualTo(2);
            assertThat(d.entry()).isEqualTo(new LedgerEntry("acc-1", "t-2", EntryType.CREDIT, 1_234, "EUR",
                    10_000, 11_234, 2, T));
        }

        @Test
        void debitsAccount() {
            // Given
            Account account = eurAccount(100_000, 1);
            // When
            Decision d = logic.apply(account, Command.debit("t-2", "acc-1", "200"), T);
            // Then
            assertThat(d.newState()).isEqualTo(eurAccount(80_000, 2));
            assertThat(d.outcome().status()).isEqualTo(OutcomeStatus.ACCEPTED);
            assertThat(d.outcome().balanceMinor()).isEqualTo(80_000);
            assertThat(d.entry()).isEqualTo(new LedgerEntry("acc-1", "t-2", EntryType.DEBIT, 20_000, "EUR",
                    100_000, 80_000, 2, T));
        }

        @Test
        void debitsAccountToExactlyZero() {
            // Given
            Account account = eurAccount(80_000, 2);
            // When
            Decision d = logic.apply(account, Command.debit("t-3", "acc-1", "800.00"), T);
            // Then
            assertThat(d.outcome().status()).isEqualTo(OutcomeStatus.ACCEPTED);
            assertThat(d.newState().balanceMinor()).isZero();
            assertThat(d.entry().balanceAfterMinor()).isZero();
        }

        @Test
        void rejectsDebitBeyondBalance() {
            // Given
            Account account = eurAccount(80_000, 2);
            // When
            Decision d = logic.apply(account, Command.debit("t-4", "acc-1", "900"), T);
            // Then
            assertRejected(d, RejectionReason.INSUFFICIENT_FUNDS);
            assertThat(d.outcome().amountMinor()).as("the amount asked for").isEqualTo(90_000);
            assertThat(d.outcome().balanceMinor()).as("balance unchanged").isEqualTo(80_000);
            assertThat(d.outcome().sequence()).isEqualTo(2);
        }

        @Test
        void rejectsDebitOfOneMinorUnitMoreThanBalance() {
            // Given
            Account account = eurAccount(80_000, 2);
            // When
            Decision d = logic.apply(account, Command.debit("t-4", "acc-1", "800.01"), T);
            // Then
            assertRejected(d, RejectionReason.INSUFFICIENT_FUNDS);
        }

        @Test
        void rejectsCreditAndDebitOnUnknownAccount() {
            // When
            Decision credit = logic.apply(null, Command.credit("t-1", "nobody", "10"), T);
            Decision debit = logic.apply(null, Command.debit("t-2", "nobody", "10"), T);
            // Then
            assertRejected(credit, RejectionReason.ACCOUNT_NOT_FOUND);
            assertRejected(debit, RejectionReason.ACCOUNT_NOT_FOUND);
            assertThat(credit.outcome().balanceMinor()).isNull();
            assertThat(credit.outcome().currency()).isNull();
            assertThat(credit.outcome().sequence()).isZero();
        }

        @Test
        void rejectsCommandInAnotherCurrencyThanTheAccount() {
            // Given
            Account account = eurAccount(10_000, 1);
            // When
            Decision d = logic.apply(account,
                    new Command(CommandType.CREDIT, "t-2", "acc-1", "10", "USD"), T);
            // Then
            assertRejected(d, RejectionReason.CURRENCY_MISMATCH);
            assertThat(d.outcome().currency()).isEqualTo("EUR");
        }

        @Test
        void acceptsCommandThatNamesTheAccountCurrency() {
            // Given
            Account account = eurAccount(10_000, 1);
            // When
            Decision d = logic.apply(account, new Command(CommandType.DEBIT, "t-2", "acc-1", "10", "EUR"), T);
            // Then
            assertThat(d.outcome().status()).isEqualTo(OutcomeStatus.ACCEPTED);
            assertThat(d.newState().balanceMinor()).isEqualTo(9_000);
        }

        @Test
        void rejectsAmountWithMoreFractionDigitsThanTheCurrencyHas() {
            // Given
            Account eur = eurAccount(10_000, 1);
            Account jpy = new Account("acc-jp", "JPY", AccountStatus.OPEN, 10_000, 1, OPENED_AT);
            // When
            Decision eurDecision = logic.apply(eur, Command.credit("t-2", "acc-1", "1.001"), T);
            Decision jpyDecision = logic.apply(jpy, Command.credit("t-2", "acc-jp", "1.5"), T);
            // Then
            assertRejected(eurDecision, RejectionReason.INVALID_AMOUNT);
            assertRejected(jpyDecision, RejectionReason.INVALID_AMOUNT);
        }

        @Test
        void acceptsTrailingZerosBeyondTheCurrencyScaleBecauseTheyAreNotExtraPrecision() {
            // When
            Decision d = logic.apply(eurAccount(0, 0), Command.credit("t-2", "acc-1", "1.2300"), T);
            // Then
            assertThat(d.outcome().amountMinor()).isEqualTo(123);
        }

        @ParameterizedTest(name = "amount [{0}]")
        @NullAndEmptySource
        @ValueSource(strings = {"0", "0.00", "-1", "-0.01", "+1", "abc", "1e3", "1,00", " 10", "10 ", "0x10", "NaN"})
        void rejectsZeroNegativeMissingOrMalformedAmount(String amount) {
            // Given
            Account account = eurAccount(10_000, 1);
            // When
            Decision credit = logic.apply(account, Command.credit("t-2", "acc-1", amount), T);
            Decision debit = logic.apply(account, Command.debit("t-3", "acc-1", amount), T);
            // Then
            assertRejected(credit, RejectionReason.INVALID_AMOUNT);
            assertRejected(debit, RejectionReason.INVALID_AMOUNT);
            assertThat(credit.outcome().amountMinor()).as("an unreadable amount is not reported").isNull();
            assertThat(credit.outcome().balanceMinor()).isEqualTo(10_000);
        }

        @Test
        void rejectsAmountAboveTheMaximumButAcceptsExactlyTheMaximum() {
            // Given
            Account account = eurAccount(0, 0);
            // When
            Decision above = logic.apply(account, Command.credit("t-2", "acc-1", "1000000.01"), T);
            Decision atMax = logic.apply(account, Command.credit("t-3", "acc-1", "1000000"), T);
            // Then
            assertRejected(above, RejectionReason.INVALID_AMOUNT);
            assertThat(atMax.outcome().status()).isEqualTo(OutcomeStatus.ACCEPTED);
            assertThat(atMax.newState().balanceMinor()).isEqualTo(100_000_000);
        }

        @Test
        void rejectsPostingsToClosedAccount() {
            // Given
            Account closed = new Account("acc-1", "EUR", AccountStatus.CLOSED, 10_000, 4, OPENED_AT);
            // When
            Decision credit = logic.apply(closed, Command.credit("t-5", "acc-1", "10"), T);
            Decision debit = logic.apply(closed, Command.debit("t-6", "acc-1", "10"), T);
            // Then
            assertRejected(credit, RejectionReason.ACCOUNT_CLOSED);
            assertRejected(debit, RejectionReason.ACCOUNT_CLOSED);
            assertThat(credit.outcome().balanceMinor()).isEqualTo(10_000);
        }

        @Test
        void rejectsCreditThatWouldOverflowTheBalanceAsLimitExceeded() {
            // Given an account a few cents below what a long of minor units can hold, and no per-command maximum
            Account nearlyFull = eurAccount(Long.MAX_VALUE - 5, 7);
            AccountLogic unlimited = new AccountLogic(null);
            // When
            Decision overflow = unlimited.apply(nearlyFull, Command.credit("t-8", "acc-1", "0.06"), T);
            Decision fits = unlimited.apply(nearlyFull, Command.credit("t-9", "acc-1", "0.05"), T);
            // Then
            assertRejected(overflow, RejectionReason.LIMIT_EXCEEDED);
            assertThat(overflow.outcome().amountMinor()).isEqualTo(6);
            assertThat(overflow.outcome().balanceMinor()).isEqualTo(Long.MAX_VALUE - 5);
            assertThat(fits.newState().balanceMinor()).isEqualTo(Long.MAX_VALUE);
        }
    }

    @Test
    void ledgerEntriesNumberPostingsWithoutGapsAndCarryBalancesTypeAndRecordTimestamp() {
        // Given an account opened with a deposit at t0
        Decision open = logic.apply(null, Command.open("t-1", "acc-1", "EUR", "100"), 1_000);
        // When a credit at t1, a rejected debit at t2 and an accepted debit at t3 follow
        Decision credit = logic.apply(open.newState(), Command.credit("t-2", "acc-1", "50.50"), 2_000);
        Decision rejected = logic.apply(credit.newState(), Command.debit("t-3", "acc-1", "500"), 3_000);
        Decision debit = logic.apply(credit.newState(), Command.debit("t-4", "acc-1", "0.50"), 4_000);
        // Then the postings are numbered 1, 2, 3 and the rejection takes no number
        assertThat(rejected.entry()).isNull();
        assertThat(rejected.outcome().sequence()).isEqualTo(2);
        assertThat(open.entry()).isEqualTo(
                new LedgerEntry("acc-1", "t-1", EntryType.OPENING_DEPOSIT, 10_000, "EUR", 0, 10_000, 1, 1_000));
        assertThat(credit.entry()).isEqualTo(
                new LedgerEntry("acc-1", "t-2", EntryType.CREDIT, 5_050, "EUR", 10_000, 15_050, 2, 2_000));
        assertThat(debit.entry()).isEqualTo(
                new LedgerEntry("acc-1", "t-4", EntryType.DEBIT, 50, "EUR", 15_050, 15_000, 3, 4_000));
        assertThat(debit.newState()).isEqualTo(new Account("acc-1", "EUR", AccountStatus.OPEN, 15_000, 3, 1_000));
        // and every entry satisfies the replay rule after = before + sign * amount
        for (LedgerEntry e : new LedgerEntry[] {open.entry(), credit.entry(), debit.entry()}) {
            assertThat(e.balanceAfterMinor())
                    .isEqualTo(e.balanceBeforeMinor() + e.type().sign() * e.amountMinor());
        }
        // and each outcome carries the timestamp of its own record
        assertThat(rejected.outcome().timestamp()).isEqualTo(3_000);
        assertThat(debit.outcome().timestamp()).isEqualTo(4_000);
    }

    @Test
    void applyingTheSameCommandToTheSameStateTwiceGivesEqualDecisions() {
        // Given
        Account account = eurAccount(80_000, 2);
        Command[] commands = {
                Command.open("t-1", "acc-1", "EUR", "10"),
                Command.credit("t-2", "acc-1", "12.34"),
                Command.debit("t-3", "acc-1", "200"),
                Command.debit("t-4", "acc-1", "900"),
                Command.credit("t-5", "acc-1", "1.001"),
        };
        for (Command command : commands) {
            // When
            Decision first = logic.apply(account, command, T);
            Decision second = new AccountLogic(MAX).apply(account, command, T);
            Decision fromNothing = logic.apply(null, command, T);
            // Then
            assertThat(second).as(command.toString()).isEqualTo(first);
            assertThat(logic.apply(null, command, T)).as(command.toString()).isEqualTo(fromNothing);
        }
        assertThat(account).as("the input state is never mutated").isEqualTo(eurAccount(80_000, 2));
    }

    @Test
    void answersAConflictingRetryWithIdempotencyConflictWithoutBalance() {
        // Given the first outcome under t-1
        Decision first = logic.apply(eurAccount(100_000, 1), Command.debit("t-1", "acc-1", "200"), T);
        // When a different request arrives under the same id
        Outcome conflict = AccountLogic.conflict(Command.debit("t-1", "acc-1", "300"), first.outcome(), T + 1);
        // Then
        assertThat(conflict.status()).isEqualTo(OutcomeStatus.REJECTED);
        assertThat(conflict.reason()).isEqualTo(RejectionReason.IDEMPOTENCY_CONFLICT);
        assertThat(conflict.transactionId()).isEqualTo("t-1");
        assertThat(conflict.replayed()).isFalse();
        assertThat(conflict.amountMinor()).isNull();
        assertThat(conflict.timestamp()).isEqualTo(T + 1);
    }
}
