package dev.bank.processor.topology;

import dev.bank.processor.config.InterestConfig;
import dev.bank.schemas.Account;
import dev.bank.schemas.Command;
import dev.bank.schemas.EntryType;
import dev.bank.schemas.Hold;
import dev.bank.schemas.HoldStatus;
import dev.bank.schemas.LedgerEntry;
import dev.bank.schemas.OutcomeStatus;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Generated sequences of holds on one account, applied in order as its task applies them (expired holds released
 * before each command, as {@link HoldExpiry} does): whatever the mix of holds placed with and without expiry,
 * partial and full captures, voids, debits and time passing, the reservations and the ledger agree after every step.
 */
class HoldPropertiesTest {
    private static final long START = Instant.parse("2026-03-10T08:00:00Z").toEpochMilli();
    private static final long MINUTE = 60_000L;

    private final AccountLogic logic = new AccountLogic(new BigDecimal("1000000"),
            new InterestLogic(InterestConfig.defaults()));

    enum Kind { PLACE, CAPTURE, VOID, DEBIT, CREDIT }

    /** One step: what to do, an amount in cents (0: no amount), which hold (by index), minutes later. */
    record Step(Kind kind, long cents, int hold, int minutesLater, Integer expiresInMinutes) {}

    @Property(tries = 300)
    void reservationsAndTheLedgerAgreeAfterEveryStep(@ForAll("steps") List<Step> steps) {
        long at = START;
        Account account = logic.apply(null, Command.open("open", "acc-1", "EUR", "500.00"), at).newState();
        long posted = account.balanceMinor();
        Map<String, Hold> holds = new LinkedHashMap<>();
        List<String> ids = new ArrayList<>();
        int n = 0;
        for (Step step : steps) {
            at += step.minutesLater() * MINUTE;
            // what HoldExpiry does before a command: every hold expired by now is released
            for (Hold h : List.copyOf(holds.values())) {
                if (h.expiredBy(at)) {
                    Decision released = logic.expire(account, h, at);
                    account = released.newState();
                    holds.put(h.holdId(), released.hold());
                }
            }
            String id = "t-" + n++;
            String amount = step.cents() == 0 ? null : BigDecimal.valueOf(step.cents(), 2).toPlainString();
            String holdId = ids.isEmpty() ? "none" : ids.get(step.hold() % ids.size());
            Command command = switch (step.kind()) {
                case PLACE -> Command.placeHold(id, "acc-1", amount == null ? "0.01" : amount,
                        step.expiresInMinutes() == null ? null
                                : Instant.ofEpochMilli(at + step.expiresInMinutes() * MINUTE).toString(), null);
                case CAPTURE -> Command.captureHold(id, "acc-1", holdId, amount);
                case VOID -> Command.voidHold(id, "acc-1", holdId);
                case DEBIT -> Command.debit(id, "acc-1", amount == null ? "0.01" : amount);
                case CREDIT -> Command.credit(id, "acc-1", amount == null ? "0.01" : amount);
            };
            Hold named = switch (step.kind()) {
                case PLACE -> holds.get(id);
                case CAPTURE, VOID -> holds.get(holdId);
                default -> null;
            };
            Account before = account;
            Decision d = logic.apply(account, command, at, named);
            boolean accepted = d.outcome().status() == OutcomeStatus.ACCEPTED;
            if (d.newState() != null) account = d.newState();
            if (d.hold() != null) {
                if (named == null) ids.add(d.hold().holdId());
                holds.put(d.hold().holdId(), d.hold());
            }
            LedgerEntry e = d.entry();
            if (e != null) {
                posted += e.type().sign() * e.amountMinor();
                assertThat(e.balanceBeforeMinor()).isEqualTo(before.balanceMinor());
            }
            if (named != null && named.status() != HoldStatus.ACTIVE) {
                assertThat(accepted).as("an ended hold takes nothing").isFalse();
            }
            if (step.kind() == Kind.CAPTURE && accepted) {
                assertThat(e.type()).isEqualTo(EntryType.HOLD_CAPTURE);
                assertThat(account.availableMinor()).as("a capture takes what was reserved")
                        .isEqualTo(before.availableMinor());
            }
            if (step.kind() == Kind.PLACE && accepted) {
                assertThat(before.availableMinor()).as("a hold is placed only on what is available")
                        .isGreaterThanOrEqualTo(d.hold().amountMinor());
            }
            // the invariants
            long reserved = holds.values().stream().mapToLong(Hold::remainingMinor).sum();
            assertThat(account.heldMinor()).as("held = what the active holds have left").isEqualTo(reserved);
            assertThat(account.activeHolds()).as("the active holds are counted")
                    .isEqualTo((int) holds.values().stream().filter(h -> h.status() == HoldStatus.ACTIVE).count());
            assertThat(account.balanceMinor()).as("balance = the postings").isEqualTo(posted);
            assertThat(account.availableMinor()).as("nothing is promised twice").isGreaterThanOrEqualTo(0);
            for (Hold h : holds.values()) {
                assertThat(h.capturedMinor()).isBetween(0L, h.amountMinor());
                assertThat(h.status() == HoldStatus.CAPTURED).isEqualTo(h.capturedMinor() == h.amountMinor());
                assertThat(h.closedAt() == null).isEqualTo(h.status() == HoldStatus.ACTIVE);
            }
        }
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Kind> kinds = Arbitraries.frequency(Tuple.of(4, Kind.PLACE), Tuple.of(4, Kind.CAPTURE),
                Tuple.of(2, Kind.VOID), Tuple.of(2, Kind.DEBIT), Tuple.of(1, Kind.CREDIT));
        Arbitrary<Long> cents = Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just(0L)),
                Tuple.of(4, Arbitraries.longs().between(1, 30_000)));
        Arbitrary<Integer> expiry = Arbitraries.integers().between(1, 120).injectNull(0.4);
        Arbitrary<Step> step = Combinators.combine(kinds, cents, Arbitraries.integers().between(0, 20),
                Arbitraries.integers().between(0, 30), expiry).as(Step::new);
        return step.list().ofMinSize(1).ofMaxSize(60);
    }
}
