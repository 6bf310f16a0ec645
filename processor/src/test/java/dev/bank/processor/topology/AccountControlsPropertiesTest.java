package dev.bank.processor.topology;

import dev.bank.processor.config.InterestConfig;
import dev.bank.schemas.Account;
import dev.bank.schemas.AccountStatus;
import dev.bank.schemas.Command;
import dev.bank.schemas.CommandType;
import dev.bank.schemas.LedgerEntry;
import dev.bank.schemas.OutcomeStatus;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Generated sequences of commands on one account, applied in order as its task would: whatever the mix of credits,
 * debits, transfers out, limit changes, freezes and closes, the controls hold after every step.
 */
class AccountControlsPropertiesTest {
    private static final long START = LocalDate.of(2026, 3, 10).atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
    private static final long HOUR = 3_600_000L;

    private final AccountLogic logic = new AccountLogic(new BigDecimal("1000000"),
            new InterestLogic(InterestConfig.defaults()));

    /** One generated step: a command and how many hours after the previous step it is sent. */
    record Step(Command command, int hoursLater) {}

    @Property(tries = 300)
    void theControlsHoldAfterEveryStep(@ForAll("steps") List<Step> steps) {
        Account account = logic.apply(null, Command.open("open", "acc-1", "EUR", "100.00"), START).newState();
        long at = START;
        Map<LocalDate, Long> outByDay = new HashMap<>();
        int n = 0;
        for (Step step : steps) {
            at += step.hoursLater() * HOUR;
            Command command = withId(step.command(), "t-" + n++);
            Account before = account;
            Decision d = logic.apply(before, command, at);
            boolean accepted = d.outcome().status() != OutcomeStatus.REJECTED;
            if (d.newState() != null) account = d.newState();
            LedgerEntry e = d.entry();

            if (before.status() == AccountStatus.CLOSED) {
                assertThat(accepted).as("a closed account refuses %s", command.type()).isFalse();
                assertThat(d.newState()).isNull();
            }
            if (e != null) {
                // the ledger entry and the balance agree
                assertThat(e.balanceBeforeMinor()).isEqualTo(before.balanceMinor());
                assertThat(e.balanceAfterMinor()).isEqualTo(account.balanceMinor());
                assertThat(e.sequence()).isEqualTo(account.sequence());
            }
            boolean outflow = accepted && (command.type() == CommandType.DEBIT || command.type() == CommandType.TRANSFER);
            if (outflow) {
                assertThat(before.status()).as("nothing leaves a frozen account").isEqualTo(AccountStatus.OPEN);
                assertThat(account.balanceMinor()).as("the overdraft limit holds")
                        .isGreaterThanOrEqualTo(-before.overdraftLimitMinor());
                LocalDate day = LocalDate.ofInstant(java.time.Instant.ofEpochMilli(at), ZoneOffset.UTC);
                long out = outByDay.merge(day, e.amountMinor(), Long::sum);
                if (before.dailyOutflowLimitMinor() != null) {
                    assertThat(account.outflowOn(day)).as("the daily limit holds")
                            .isLessThanOrEqualTo(before.dailyOutflowLimitMinor());
                }
                assertThat(account.outflowOn(day)).as("every outflow of the day is counted, once").isEqualTo(out);
            }
            if (!accepted && command.type() != CommandType.CLOSE_ACCOUNT) {
                assertThat(d.newState()).as("a refusal changes nothing").isNull();
            }
            if (accepted && command.type() == CommandType.CLOSE_ACCOUNT) {
                assertThat(before.balanceMinor()).isZero();
                assertThat(before.pendingTransfersOut()).isZero();
            }
            assertThat(account.pendingTransfersOut()).isNotNegative();
            assertThat(account.availableMinor())
                    .isEqualTo(account.balanceMinor() - account.heldMinor() + account.overdraftLimitMinor());
        }
    }

    private static Command withId(Command c, String id) {
        return new Command(c.type(), id, c.accountId(), c.amount(), c.currency(), c.toAccountId(), c.reference(),
                c.interestRate(), c.principal(), c.admin(), c.owner(), c.overdraftLimit(), c.dailyOutflowLimit(),
                c.debitInterestRate());
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<String> amount = Arbitraries.longs().between(1, 20_000).map(cents -> BigDecimal.valueOf(cents, 2)
                .toPlainString());
        Arbitrary<String> limit = Arbitraries.oneOf(Arbitraries.just(null),
                Arbitraries.longs().between(0, 30_000).map(cents -> BigDecimal.valueOf(cents, 2).toPlainString()));
        Arbitrary<Command> credit = amount.map(a -> Command.credit("t", "acc-1", a));
        Arbitrary<Command> debit = amount.map(a -> Command.debit("t", "acc-1", a));
        Arbitrary<Command> transfer = amount.map(a -> Command.transfer("t", "acc-1", "acc-2", a, null));
        Arbitrary<Command> limits = Combinators.combine(limit, limit)
                .as((overdraft, daily) -> Command.setLimits("t", "acc-1", overdraft, daily, null));
        Arbitrary<Command> lifecycle = Arbitraries.of(CommandType.FREEZE_ACCOUNT, CommandType.UNFREEZE_ACCOUNT,
                CommandType.CLOSE_ACCOUNT).map(type -> Command.of(type, "t", "acc-1"));
        Arbitrary<Command> command = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, credit), net.jqwik.api.Tuple.of(6, debit), net.jqwik.api.Tuple.of(3, transfer),
                net.jqwik.api.Tuple.of(2, limits), net.jqwik.api.Tuple.of(1, lifecycle));
        Arbitrary<Step> step = Combinators.combine(command, Arbitraries.integers().between(0, 9)).as(Step::new);
        return step.list().ofMinSize(1).ofMaxSize(60);
    }
}
