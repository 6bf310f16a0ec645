package dev.bank.processor.topology;

import dev.bank.schemas.Account;
import dev.bank.schemas.AccountStatus;
import dev.bank.schemas.Command;
import dev.bank.schemas.CommandType;
import dev.bank.schemas.EntryType;
import dev.bank.schemas.LedgerEntry;
import dev.bank.schemas.LegType;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.OutcomeStatus;
import dev.bank.schemas.RejectionReason;
import dev.bank.schemas.Transfer;
import dev.bank.schemas.TransferLeg;
import dev.bank.schemas.TransferStatus;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

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
            assertThat(d.newState()).isEqualTo(new Account("acc-1", "EUR", AccountStatus.OPEN, 0, 0, T, "0", "0", dayBefore(T)));
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
            assertThat(d.newState()).isEqualTo(new Account("acc-1", "EUR", AccountStatus.OPEN, 100_000, 1, T, "0", "0", dayBefore(T)));
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
            assertThat(d.newState()).as("counted against the day's outflow too")
                    .isEqualTo(eurAccount(80_000, 2).withOutflow(java.time.LocalDate.of(2023, 11, 14), 20_000));
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
        assertThat(debit.newState()).isEqualTo(new Account("acc-1", "EUR", AccountStatus.OPEN, 15_000, 3, 1_000, "0", "0",
                dayBefore(1_000)).withOutflow(java.time.LocalDate.of(1970, 1, 1), 50));
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

    // ---- transfers: debit on the source, credit (or refund) on the destination, finish on the source ----

    private static final long T_CREDIT = T + 1_000;
    private static final long T_ANSWER = T + 2_000;

    /** acc-a: an open EUR account with 1000.00 after three postings. */
    private static Account source() {
        return new Account("acc-a", "EUR", AccountStatus.OPEN, 100_000, 3, OPENED_AT);
    }

    /** acc-b: an open EUR account with 50.00 after one posting. */
    private static Account destination() {
        return new Account("acc-b", "EUR", AccountStatus.OPEN, 5_000, 1, OPENED_AT);
    }

    private static Command transferOf(String amount) {
        return Command.transfer("tr-1", "acc-a", "acc-b", amount, "invoice-7");
    }

    private static TransferLeg creditLeg(long amountMinor) {
        return new TransferLeg(LegType.CREDIT, "tr-1", "acc-a", "acc-b", amountMinor, "EUR", "invoice-7", null, null);
    }

    private static void assertRejectedUpFront(Decision decision, RejectionReason reason) {
        assertRejected(decision, reason);
        assertThat(decision.outcome().type()).isEqualTo(CommandType.TRANSFER);
        assertThat(decision.outcome().transferStatus()).isEqualTo(TransferStatus.REJECTED);
        assertThat(decision.leg()).as("no money leaves, so no leg").isNull();
        assertThat(decision.transfer()).as("nothing to track").isNull();
        assertThat(decision.publishesOutcome()).as("an up-front rejection is answered at once").isTrue();
    }

    /** The ways a destination refuses a credit: the account it is in, and the reason it gives. */
    static Stream<Arguments> refusingDestinations() {
        return Stream.of(
                Arguments.of("unknown account", null, RejectionReason.ACCOUNT_NOT_FOUND),
                Arguments.of("closed account",
                        new Account("acc-b", "EUR", AccountStatus.CLOSED, 5_000, 1, OPENED_AT),
                        RejectionReason.ACCOUNT_CLOSED),
                Arguments.of("USD account", new Account("acc-b", "USD", AccountStatus.OPEN, 5_000, 1, OPENED_AT),
                        RejectionReason.CURRENCY_MISMATCH),
                Arguments.of("account that cannot hold that much",
                        new Account("acc-b", "EUR", AccountStatus.OPEN, Long.MAX_VALUE - 24_999, 1, OPENED_AT),
                        RejectionReason.LIMIT_EXCEEDED));
    }

    @Nested
    class Transfers {

        // -- on the source: apply --

        @Test
        void debitsSourceAndSendsCreditLegWhileTheOutcomeStaysPending() {
            // Given acc-a with 1000.00 after three postings
            // When it transfers 250.00 to acc-b
            Decision d = logic.apply(source(), transferOf("250.00"), T);
            // Then acc-a is debited as its fourth posting
            assertThat(d.newState()).as("with the day's outflow and one transfer in flight").isEqualTo(
                    new Account("acc-a", "EUR", AccountStatus.OPEN, 75_000, 4, OPENED_AT)
                            .withOutflow(java.time.LocalDate.of(2023, 11, 14), 25_000).withTransfersOut(1));
            assertThat(d.entry()).isEqualTo(new LedgerEntry("acc-a", "tr-1", EntryType.TRANSFER_OUT, 25_000, "EUR",
                    100_000, 75_000, 4, T, "tr-1", "acc-b", "invoice-7"));
            // and a CREDIT leg, keyed by the destination, carries the amount in the source's currency
            assertThat(d.leg()).isEqualTo(creditLeg(25_000));
            assertThat(d.leg().targetAccountId()).isEqualTo("acc-b");
            // and acc-a remembers the transfer as its own, outgoing and pending
            assertThat(d.transfer()).isEqualTo(new Transfer("tr-1", Transfer.Direction.OUT, "acc-a", "acc-b", 25_000,
                    "EUR", "invoice-7", TransferStatus.PENDING, null, null, T, null));
            // and the outcome is PENDING: remembered for retries, not published
            Outcome o = d.outcome();
            assertThat(o.status()).isEqualTo(OutcomeStatus.PENDING);
            assertThat(o.transferStatus()).isEqualTo(TransferStatus.PENDING);
            assertThat(o.type()).isEqualTo(CommandType.TRANSFER);
            assertThat(o.transactionId()).isEqualTo("tr-1");
            assertThat(o.accountId()).isEqualTo("acc-a");
            assertThat(o.toAccountId()).isEqualTo("acc-b");
            assertThat(o.amountMinor()).isEqualTo(25_000);
            assertThat(o.balanceMinor()).isEqualTo(75_000);
            assertThat(o.currency()).isEqualTo("EUR");
            assertThat(o.sequence()).isEqualTo(4);
            assertThat(o.reason()).isNull();
            assertThat(o.replayed()).isFalse();
            assertThat(o.timestamp()).isEqualTo(T);
            assertThat(d.publishesOutcome()).isFalse();
        }

        @Test
        void transfersTheWholeBalanceDownToExactlyZero() {
            // When
            Decision d = logic.apply(source(), transferOf("1000"), T);
            // Then
            assertThat(d.outcome().status()).isEqualTo(OutcomeStatus.PENDING);
            assertThat(d.newState().balanceMinor()).isZero();
            assertThat(d.leg().amountMinor()).isEqualTo(100_000);
        }

        @Test
        void acceptsTransferThatNamesTheSourceCurrency() {
            // When
            Decision d = logic.apply(source(),
                    new Command(CommandType.TRANSFER, "tr-1", "acc-a", "10", "EUR", "acc-b", null), T);
            // Then
            assertThat(d.outcome().status()).isEqualTo(OutcomeStatus.PENDING);
            assertThat(d.leg().reference()).isNull();
            assertThat(d.entry().reference()).isNull();
        }

        @Test
        void rejectsTransferBeyondTheSourceBalanceUpFront() {
            // When acc-a (1000.00) transfers one cent more than it holds
            Decision d = logic.apply(source(), transferOf("1000.01"), T);
            // Then
            assertRejectedUpFront(d, RejectionReason.INSUFFICIENT_FUNDS);
            assertThat(d.outcome().amountMinor()).as("the amount asked for").isEqualTo(100_001);
            assertThat(d.outcome().balanceMinor()).as("balance unchanged").isEqualTo(100_000);
            assertThat(d.outcome().sequence()).isEqualTo(3);
            assertThat(d.outcome().toAccountId()).isEqualTo("acc-b");
            assertThat(d.outcome().detail()).contains("transfer");
        }

        @Test
        void rejectsTransferToTheSameAccount() {
            // When
            Decision d = logic.apply(source(), Command.transfer("tr-1", "acc-a", "acc-a", "10", null), T);
            // Then
            assertRejectedUpFront(d, RejectionReason.INVALID_COMMAND);
            assertThat(d.outcome().toAccountId()).isEqualTo("acc-a");
        }

        @ParameterizedTest(name = "toAccountId [{0}]")
        @NullAndEmptySource
        @ValueSource(strings = {" ", "acc b", "acc/b", "acc\u0000b", "ä-konto",
                "a1234567890123456789012345678901234567890123456789012345678901234"})
        void aTransferWithAMissingOrMalformedDestinationIdNeverReachesTheLogic(String toAccountId) {
            // the rule lives in command.schema.json, which the processor holds every command to before it applies it
            var document = dev.bank.schemas.Json.MAPPER.valueToTree(
                    Command.transfer("tr-1", "acc-a", toAccountId, "10", null));
            assertThat(dev.bank.schemas.CommandShape.violations(document)).isNotEmpty();
        }

        @Test
        void rejectsTransferFromUnknownSource() {
            // When
            Decision d = logic.apply(null, Command.transfer("tr-1", "nobody", "acc-b", "10", null), T);
            // Then
            assertRejectedUpFront(d, RejectionReason.ACCOUNT_NOT_FOUND);
            assertThat(d.outcome().balanceMinor()).isNull();
            assertThat(d.outcome().currency()).isNull();
            assertThat(d.outcome().toAccountId()).isEqualTo("acc-b");
        }

        @Test
        void rejectsTransferFromClosedSource() {
            // Given
            Account closed = new Account("acc-a", "EUR", AccountStatus.CLOSED, 100_000, 3, OPENED_AT);
            // When
            Decision d = logic.apply(closed, transferOf("10"), T);
            // Then
            assertRejectedUpFront(d, RejectionReason.ACCOUNT_CLOSED);
        }

        @Test
        void rejectsTransferInAnotherCurrencyThanTheSource() {
            // When
            Decision d = logic.apply(source(),
                    new Command(CommandType.TRANSFER, "tr-1", "acc-a", "10", "USD", "acc-b", null), T);
            // Then
            assertRejectedUpFront(d, RejectionReason.CURRENCY_MISMATCH);
            assertThat(d.outcome().currency()).isEqualTo("EUR");
        }

        @ParameterizedTest(name = "amount [{0}]")
        @NullAndEmptySource
        @ValueSource(strings = {"0", "0.00", "-1", "abc", "1e3", "10.001", "1000000.01"})
        void rejectsTransferWithBadAmount(String amount) {
            // When
            Decision d = logic.apply(new Account("acc-a", "EUR", AccountStatus.OPEN, Long.MAX_VALUE, 3, OPENED_AT),
                    transferOf(amount), T);
            // Then
            assertRejectedUpFront(d, RejectionReason.INVALID_AMOUNT);
        }

        // -- on the destination: applyCredit --

        @Test
        void creditsDestinationAndAnswersCompleted() {
            // Given the CREDIT leg of 250.00 from acc-a
            TransferLeg credit = creditLeg(25_000);
            // When acc-b (50.00 after one posting) applies it
            Decision d = logic.applyCredit(destination(), credit, T_CREDIT);
            // Then acc-b is credited as its second posting
            assertThat(d.newState()).isEqualTo(new Account("acc-b", "EUR", AccountStatus.OPEN, 30_000, 2, OPENED_AT));
            assertThat(d.entry()).isEqualTo(new LedgerEntry("acc-b", "tr-1", EntryType.TRANSFER_IN, 25_000, "EUR",
                    5_000, 30_000, 2, T_CREDIT, "tr-1", "acc-a", "invoice-7"));
            // and a COMPLETED leg goes back, keyed by the source
            assertThat(d.leg()).isEqualTo(new TransferLeg(LegType.COMPLETED, "tr-1", "acc-a", "acc-b", 25_000, "EUR",
                    "invoice-7", null, null));
            assertThat(d.leg().targetAccountId()).isEqualTo("acc-a");
            // and acc-b remembers the transfer as incoming and finished
            assertThat(d.transfer()).isEqualTo(new Transfer("tr-1", Transfer.Direction.IN, "acc-a", "acc-b", 25_000,
                    "EUR", "invoice-7", TransferStatus.COMPLETED, null, null, T_CREDIT, T_CREDIT));
            // and the destination publishes no outcome: the transfer's one outcome is the source's
            assertThat(d.outcome()).isNull();
            assertThat(d.publishesOutcome()).isFalse();
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("dev.bank.processor.topology.AccountLogicTest#refusingDestinations")
        void refusesCreditItCannotTakeAndAnswersRefundWithTheReason(String name, Account dest,
                                                                    RejectionReason reason) {
            // Given the CREDIT leg of 250.00 EUR from acc-a
            TransferLeg credit = creditLeg(25_000);
            // When the destination applies it
            Decision d = logic.applyCredit(dest, credit, T_CREDIT);
            // Then nothing changes on the destination, and a REFUND leg with the reason goes back to the source
            assertThat(d.newState()).isNull();
            assertThat(d.entry()).isNull();
            assertThat(d.outcome()).isNull();
            assertThat(d.leg().type()).isEqualTo(LegType.REFUND);
            assertThat(d.leg().targetAccountId()).isEqualTo("acc-a");
            assertThat(d.leg().reason()).isEqualTo(reason);
            assertThat(d.leg().detail()).contains("acc-b");
            assertThat(d.leg()).usingRecursiveComparison().ignoringFields("type", "reason", "detail")
                    .isEqualTo(credit);
            // and the destination remembers it as refunded, so a redelivered CREDIT is recognised
            assertThat(d.transfer()).isEqualTo(new Transfer("tr-1", Transfer.Direction.IN, "acc-a", "acc-b", 25_000,
                    "EUR", "invoice-7", TransferStatus.REFUNDED, reason, d.leg().detail(), T_CREDIT, T_CREDIT));
        }

        @Test
        void creditsDestinationUpToExactlyTheLargestBalance() {
            // Given a destination exactly 250.00 short of the largest balance
            Account nearlyFull = new Account("acc-b", "EUR", AccountStatus.OPEN, Long.MAX_VALUE - 25_000, 1, OPENED_AT);
            // When
            Decision d = logic.applyCredit(nearlyFull, creditLeg(25_000), T_CREDIT);
            // Then
            assertThat(d.leg().type()).isEqualTo(LegType.COMPLETED);
            assertThat(d.newState().balanceMinor()).isEqualTo(Long.MAX_VALUE);
        }

        // -- back on the source: complete / refund --

        @Test
        void completesTransferAndPublishesAcceptedOutcomeWithTheSourceBalanceAtCompletion() {
            // Given acc-a debited by the transfer, then credited 10.00 while the legs were in flight
            Decision sent = logic.apply(source(), transferOf("250"), T);
            Account later = logic.apply(sent.newState(), Command.credit("t-9", "acc-a", "10"), T + 500).newState();
            // When the COMPLETED leg arrives
            Decision d = logic.complete(later, sent.transfer(), T_ANSWER);
            // Then the transfer is COMPLETED and its one outcome is published
            assertThat(d.transfer()).isEqualTo(sent.transfer().finish(TransferStatus.COMPLETED, null, null, T_ANSWER));
            assertThat(d.transfer().createdAt()).isEqualTo(T);
            assertThat(d.transfer().completedAt()).isEqualTo(T_ANSWER);
            Outcome o = d.outcome();
            assertThat(o.status()).isEqualTo(OutcomeStatus.ACCEPTED);
            assertThat(o.transferStatus()).isEqualTo(TransferStatus.COMPLETED);
            assertThat(o.transactionId()).isEqualTo("tr-1");
            assertThat(o.accountId()).isEqualTo("acc-a");
            assertThat(o.toAccountId()).isEqualTo("acc-b");
            assertThat(o.type()).isEqualTo(CommandType.TRANSFER);
            assertThat(o.amountMinor()).isEqualTo(25_000);
            assertThat(o.balanceMinor()).as("the balance when the transfer completed").isEqualTo(76_000);
            assertThat(o.sequence()).isEqualTo(5);
            assertThat(o.reason()).isNull();
            assertThat(o.replayed()).isFalse();
            assertThat(o.timestamp()).isEqualTo(T_ANSWER);
            assertThat(d.publishesOutcome()).isTrue();
            // and no money moves on the source (it left with the debit): the transfer is just no longer in flight
            assertThat(d.newState().balanceMinor()).isEqualTo(76_000);
            assertThat(d.newState().sequence()).isEqualTo(5);
            assertThat(d.newState().pendingTransfersOut()).isZero();
            assertThat(d.entry()).isNull();
            assertThat(d.leg()).isNull();
        }

        @Test
        void refundCreditsTheSourceBackAndPublishesRejectedWithTheDestinationsReason() {
            // Given acc-a debited by the transfer, and the destination's REFUND answer
            Decision sent = logic.apply(source(), transferOf("250"), T);
            TransferLeg refund = logic.applyCredit(null, sent.leg(), T_CREDIT).leg();
            // When the REFUND leg arrives
            Decision d = logic.refund(sent.newState(), sent.transfer(), refund, T_ANSWER);
            // Then the balance is back where it was, as a further posting
            assertThat(d.newState()).isEqualTo(new Account("acc-a", "EUR", AccountStatus.OPEN, 100_000, 5, OPENED_AT)
                    .withOutflow(java.time.LocalDate.of(2023, 11, 14), 25_000));
            assertThat(d.entry()).isEqualTo(new LedgerEntry("acc-a", "tr-1", EntryType.TRANSFER_REFUND, 25_000, "EUR",
                    75_000, 100_000, 5, T_ANSWER, "tr-1", "acc-b", "invoice-7"));
            // and the transfer is REFUNDED with the destination's reason
            assertThat(d.transfer()).isEqualTo(sent.transfer().finish(TransferStatus.REFUNDED,
                    RejectionReason.ACCOUNT_NOT_FOUND, refund.detail(), T_ANSWER));
            // and its one outcome, published now, is a rejection that says the money came back
            Outcome o = d.outcome();
            assertThat(o.status()).isEqualTo(OutcomeStatus.REJECTED);
            assertThat(o.reason()).isEqualTo(RejectionReason.ACCOUNT_NOT_FOUND);
            assertThat(o.transferStatus()).isEqualTo(TransferStatus.REFUNDED);
            assertThat(o.detail()).contains(refund.detail()).contains("refunded");
            assertThat(o.balanceMinor()).isEqualTo(100_000);
            assertThat(o.sequence()).isEqualTo(5);
            assertThat(o.amountMinor()).isEqualTo(25_000);
            assertThat(o.toAccountId()).isEqualTo("acc-b");
            assertThat(o.timestamp()).isEqualTo(T_ANSWER);
            assertThat(d.publishesOutcome()).isTrue();
            assertThat(d.leg()).as("a refund ends the conversation").isNull();
        }

        // -- properties of the whole exchange --

        @Test
        void completedTransferMovesMoneyWithoutCreatingOrDestroyingAny() {
            // Given
            Account a = source();
            Account b = destination();
            // When the three steps run
            Decision sent = logic.apply(a, transferOf("123.45"), T);
            Decision credited = logic.applyCredit(b, sent.leg(), T_CREDIT);
            Decision done = logic.complete(sent.newState(), sent.transfer(), T_ANSWER);
            // Then the source lost exactly what the destination gained
            long before = a.balanceMinor() + b.balanceMinor();
            long after = sent.newState().balanceMinor() + credited.newState().balanceMinor();
            assertThat(after).isEqualTo(before);
            assertThat(a.balanceMinor() - sent.newState().balanceMinor())
                    .isEqualTo(credited.newState().balanceMinor() - b.balanceMinor()).isEqualTo(12_345);
            // and the two ledger entries cancel out
            assertThat(sent.entry().type().sign() * sent.entry().amountMinor()
                    + credited.entry().type().sign() * credited.entry().amountMinor()).isZero();
            assertThat(done.outcome().amountMinor()).isEqualTo(12_345);
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("dev.bank.processor.topology.AccountLogicTest#refusingDestinations")
        void refundedTransferRestoresTheSourceBalanceExactly(String name, Account dest, RejectionReason reason) {
            // Given
            Account a = source();
            // When the destination refuses and the source is refunded
            Decision sent = logic.apply(a, transferOf("250"), T);
            Decision refused = logic.applyCredit(dest, sent.leg(), T_CREDIT);
            Decision back = logic.refund(sent.newState(), sent.transfer(), refused.leg(), T_ANSWER);
            // Then
            assertThat(back.newState().balanceMinor()).isEqualTo(a.balanceMinor());
            assertThat(sent.entry().type().sign() * sent.entry().amountMinor()
                    + back.entry().type().sign() * back.entry().amountMinor()).isZero();
            assertThat(back.outcome().reason()).isEqualTo(reason);
        }

        @Test
        void ledgerEntriesOfEveryLegCarryTheTransferIdCounterpartyAndReference() {
            // When one transfer completes and another is refunded
            Decision sent = logic.apply(source(), transferOf("250"), T);
            Decision credited = logic.applyCredit(destination(), sent.leg(), T_CREDIT);
            Decision sent2 = logic.apply(sent.newState(), Command.transfer("tr-2", "acc-a", "acc-x", "1", "ref-2"), T);
            Decision refunded = logic.refund(sent2.newState(), sent2.transfer(),
                    logic.applyCredit(null, sent2.leg(), T_CREDIT).leg(), T_ANSWER);
            // Then every entry names its transfer, the other account and the reference
            assertThat(List.of(sent.entry(), credited.entry(), sent2.entry(), refunded.entry()))
                    .extracting(LedgerEntry::accountId, LedgerEntry::type, LedgerEntry::transactionId,
                            LedgerEntry::transferId, LedgerEntry::counterpartyAccountId, LedgerEntry::reference)
                    .containsExactly(
                            tuple("acc-a", EntryType.TRANSFER_OUT, "tr-1", "tr-1", "acc-b", "invoice-7"),
                            tuple("acc-b", EntryType.TRANSFER_IN, "tr-1", "tr-1", "acc-a", "invoice-7"),
                            tuple("acc-a", EntryType.TRANSFER_OUT, "tr-2", "tr-2", "acc-x", "ref-2"),
                            tuple("acc-a", EntryType.TRANSFER_REFUND, "tr-2", "tr-2", "acc-x", "ref-2"));
        }

        @Test
        void transferPostingsContinueEachAccountsSequenceWithoutGaps() {
            // Given acc-a after 3 postings and acc-b after 1
            // When acc-a sends tr-1 to acc-b, is credited, sends tr-2 which is refunded, and acc-b is debited
            Decision sent = logic.apply(source(), transferOf("250"), T);
            Decision credited = logic.applyCredit(destination(), sent.leg(), T_CREDIT);
            Decision done = logic.complete(sent.newState(), sent.transfer(), T_ANSWER);
            Decision credit = logic.apply(sent.newState(), Command.credit("t-5", "acc-a", "5"), T_ANSWER);
            Decision rejected = logic.apply(credit.newState(), transferOf("100000"), T_ANSWER);
            Decision sent2 = logic.apply(credit.newState(), Command.transfer("tr-2", "acc-a", "acc-x", "1", null),
                    T_ANSWER);
            Decision refunded = logic.refund(sent2.newState(), sent2.transfer(),
                    logic.applyCredit(null, sent2.leg(), T_ANSWER).leg(), T_ANSWER);
            Decision debit = logic.apply(credited.newState(), Command.debit("t-6", "acc-b", "1"), T_ANSWER);
            // Then acc-a's postings are 4, 5, 6, 7 and acc-b's 2, 3; completion and rejection take no number
            List<LedgerEntry> a = List.of(sent.entry(), credit.entry(), sent2.entry(), refunded.entry());
            List<LedgerEntry> b = List.of(credited.entry(), debit.entry());
            assertThat(a).extracting(LedgerEntry::sequence).containsExactly(4L, 5L, 6L, 7L);
            assertThat(b).extracting(LedgerEntry::sequence).containsExactly(2L, 3L);
            assertThat(done.entry()).isNull();
            assertThat(rejected.entry()).isNull();
            assertThat(refunded.newState().sequence()).isEqualTo(7);
            assertThat(debit.newState().sequence()).isEqualTo(3);
            // and each account's entries chain: one's balance after is the next one's balance before
            for (List<LedgerEntry> entries : List.of(a, b)) {
                for (int i = 0; i < entries.size(); i++) {
                    LedgerEntry e = entries.get(i);
                    assertThat(e.balanceAfterMinor())
                            .isEqualTo(e.balanceBeforeMinor() + e.type().sign() * e.amountMinor());
                    if (i > 0) {
                        assertThat(e.balanceBeforeMinor()).isEqualTo(entries.get(i - 1).balanceAfterMinor());
                    }
                }
            }
            assertThat(a.get(3).balanceAfterMinor()).isEqualTo(refunded.newState().balanceMinor());
            assertThat(b.get(1).balanceAfterMinor()).isEqualTo(debit.newState().balanceMinor());
        }

        @Test
        void everyTransferStepGivesEqualDecisionsForEqualInputsAndMutatesNothing() {
            // Given
            Account a = source();
            Account b = destination();
            AccountLogic other = new AccountLogic(MAX);
            Decision sent = logic.apply(a, transferOf("250"), T);
            TransferLeg credit = sent.leg();
            TransferLeg refund = logic.applyCredit(null, credit, T_CREDIT).leg();
            Transfer pending = sent.transfer();
            // When each step runs twice, once on another instance
            // Then the decisions are equal
            assertThat(other.apply(a, transferOf("250"), T)).isEqualTo(sent);
            assertThat(other.apply(a, transferOf("5000"), T)).isEqualTo(logic.apply(a, transferOf("5000"), T));
            assertThat(other.applyCredit(b, credit, T_CREDIT)).isEqualTo(logic.applyCredit(b, credit, T_CREDIT));
            assertThat(other.applyCredit(null, credit, T_CREDIT)).isEqualTo(logic.applyCredit(null, credit, T_CREDIT));
            assertThat(other.complete(sent.newState(), pending, T_ANSWER))
                    .isEqualTo(logic.complete(sent.newState(), pending, T_ANSWER));
            assertThat(other.refund(sent.newState(), pending, refund, T_ANSWER))
                    .isEqualTo(logic.refund(sent.newState(), pending, refund, T_ANSWER));
            // and no input was changed
            assertThat(a).isEqualTo(source());
            assertThat(b).isEqualTo(destination());
            assertThat(credit).isEqualTo(creditLeg(25_000));
            assertThat(pending.status()).isEqualTo(TransferStatus.PENDING);
        }
    }

    /** The business date (UTC by default) before the one an instant falls on: what a new account has accrued through. */
    static java.time.LocalDate dayBefore(long epochMillis) {
        return java.time.Instant.ofEpochMilli(epochMillis).atZone(java.time.ZoneOffset.UTC).toLocalDate().minusDays(1);
    }
}
