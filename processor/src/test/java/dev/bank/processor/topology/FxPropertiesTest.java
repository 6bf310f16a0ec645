package dev.bank.processor.topology;

import dev.bank.processor.config.InterestConfig;
import dev.bank.schemas.Account;
import dev.bank.schemas.Command;
import dev.bank.schemas.FxQuote;
import dev.bank.schemas.LedgerEntry;
import dev.bank.schemas.LegType;
import dev.bank.schemas.Transfer;
import dev.bank.schemas.TransferLeg;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Generated transfers between accounts of three currencies (some converted at generated quotes, some expired, some
 * to the wrong currency, some unconverted), their legs delivered in order as the tasks would: afterwards, in every
 * currency, the accounts' balances, the bank's FX positions included, add up to exactly what was deposited, and each
 * ledger chain is unbroken.
 */
class FxPropertiesTest {
    private static final long T0 = 1_700_000_000_000L;
    private static final String UNTIL = "2023-11-14T23:00:00Z"; // after T0 plus every step
    private static final List<String> ACCOUNTS = List.of("eur-1", "eur-2", "usd-1", "usd-2", "jpy-1");
    private static final Map<String, String> CURRENCY = Map.of("eur-1", "EUR", "eur-2", "EUR", "usd-1", "USD",
            "usd-2", "USD", "jpy-1", "JPY");

    private final AccountLogic logic = new AccountLogic(new BigDecimal("1000000"),
            new InterestLogic(InterestConfig.defaults()));

    record Step(String from, String to, String amount, String quoteTo, String rate, boolean expired) {}

    @Property(tries = 300)
    void everyCurrencyIsConservedThroughTheBanksPositions(@ForAll("steps") List<Step> steps) {
        Map<String, Account> accounts = new HashMap<>();
        Map<String, Transfer> transfers = new HashMap<>();
        Map<String, Long> lastSequence = new HashMap<>();
        Map<String, Long> deposited = new HashMap<>();
        for (String id : ACCOUNTS) {
            String deposit = CURRENCY.get(id).equals("JPY") ? "100000" : "1000.00";
            Decision opened = logic.apply(null, Command.open("open-" + id, id, CURRENCY.get(id), deposit), T0);
            accounts.put(id, opened.newState());
            deposited.merge(CURRENCY.get(id), opened.newState().balanceMinor(), Long::sum);
        }
        long at = T0;
        int n = 0;
        for (Step step : steps) {
            at += 1000;
            FxQuote quote = step.quoteTo() == null ? null : new FxQuote("q-" + n, CURRENCY.get(step.from()),
                    step.quoteTo(), step.rate(), step.expired() ? "2023-11-14T00:00:00Z" : UNTIL);
            Command transfer = Command.transfer("t-" + n++, step.from(), step.to(), step.amount(), null, quote);
            Queue<Decision> work = new ArrayDeque<>();
            work.add(logic.apply(accounts.get(step.from()), transfer, at));
            while (!work.isEmpty()) {
                Decision d = work.remove();
                if (d.newState() != null) accounts.put(d.newState().accountId(), d.newState());
                if (d.transfer() != null) {
                    transfers.put(d.transfer().ownerAccountId() + "/" + d.transfer().storeId(), d.transfer());
                }
                LedgerEntry e = d.entry();
                if (e != null) {
                    long previous = lastSequence.getOrDefault(e.accountId(), 0L);
                    assertThat(e.sequence()).as("%s's chain", e.accountId()).isGreaterThan(previous);
                    lastSequence.put(e.accountId(), e.sequence());
                    assertThat(e.balanceAfterMinor() - e.balanceBeforeMinor())
                            .isEqualTo(e.type().sign() * e.amountMinor());
                }
                for (TransferLeg leg : d.leg() == null ? d.positions() : concat(d.leg(), d.positions())) {
                    String target = leg.targetAccountId();
                    work.add(switch (leg.type()) {
                        case CREDIT -> logic.applyCredit(accounts.get(target), leg, at);
                        case FX_POSITION -> logic.applyPosition(accounts.get(target), leg, at);
                        case COMPLETED -> logic.complete(accounts.get(target),
                                transfers.get(target + "/" + leg.transferId()), at);
                        case REFUND -> logic.refund(accounts.get(target), transfers.get(target + "/" + leg.transferId()),
                                leg, at);
                    });
                }
            }
        }
        Map<String, Long> held = new HashMap<>();
        accounts.values().forEach(a -> held.merge(a.currency(), a.balanceMinor(), Long::sum));
        assertThat(held).as("per currency, balances incl. the FX positions = what was deposited")
                .isEqualTo(deposited);
        assertThat(accounts.values()).allSatisfy(a -> assertThat(a.pendingTransfersOut()).isZero());
    }

    private static List<TransferLeg> concat(TransferLeg first, List<TransferLeg> rest) {
        var all = new java.util.ArrayList<TransferLeg>();
        all.add(first);
        all.addAll(rest);
        return all;
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<String> account = Arbitraries.of(ACCOUNTS);
        Arbitrary<String> amount = Arbitraries.frequency(
                net.jqwik.api.Tuple.of(3, "1"), net.jqwik.api.Tuple.of(3, "10.05"), net.jqwik.api.Tuple.of(2, "0.01"),
                net.jqwik.api.Tuple.of(2, "250.5"), net.jqwik.api.Tuple.of(1, "5000"));
        Arbitrary<String> quoteTo = Arbitraries.of("EUR", "USD", "JPY").injectNull(0.25);
        Arbitrary<String> rate = Arbitraries.of("1.08325", "0.92", "161.237", "0.0062", "1", "0.000001", "3.33333");
        return Combinators.combine(account, account, amount, quoteTo, rate, Arbitraries.of(false, false, false, true))
                .as(Step::new).filter(s -> !s.from().equals(s.to())).list().ofMinSize(1).ofMaxSize(40);
    }
}
