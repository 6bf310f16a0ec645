package dev.bank.bench;

import dev.bank.schemas.Command;
import dev.bank.schemas.Money;
import dev.bank.schemas.Outcome;

import java.util.Currency;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The commands of one scenario, generated deterministically so the expected end state is known in advance.
 * Command {@code i} goes to account {@code i mod A}; on each account the k-th command is a credit of
 * {@code (k mod 100) + 1} cents, except every fourth, a debit of the same form. Accounts open with
 * 1000.00 EUR plus their index in cents, so no debit is ever refused and every balance differs.
 *
 * <p>Every id starts with {@code bench-<runId>-<scenario>}, fresh per run, so a rerun against a persistent
 * broker is never answered from the processor's idempotency store.
 *
 * <p>{@link HoldMix} keeps the accounts, ids and openings and replaces the commands with a mix that has holds in it.
 */
class Workload {
    static final String CURRENCY = "EUR";
    static final Currency EUR = Currency.getInstance(CURRENCY);
    static final long OPENING_MINOR = 100_000;

    private final String prefix;
    private final String txPrefix;
    private final List<String> accountIds;
    private final int n;

    Workload(String runId, Scenario scenario, int accounts, int n) {
        this.prefix = "bench-" + runId + "-" + scenario.label();
        this.txPrefix = prefix + "-tx-";
        this.accountIds = IntStream.range(0, accounts).mapToObj(a -> prefix + "-acct-" + a).toList();
        this.n = n;
    }

    int n() {
        return n;
    }

    List<String> accountIds() {
        return accountIds;
    }

    String accountOf(int i) {
        return accountIds.get(i % accountIds.size());
    }

    String transactionId(int i) {
        return txPrefix + i;
    }

    /** The index of a transactionId of this workload, or -1 for anyone else's. */
    int indexOf(String transactionId) {
        if (transactionId == null || !transactionId.startsWith(txPrefix)) return -1;
        try {
            int i = Integer.parseInt(transactionId, txPrefix.length(), transactionId.length(), 10);
            return i >= 0 && i < n ? i : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    boolean debit(int i) {
        return (i / accountIds.size()) % 4 == 3;
    }

    long amountMinor(int i) {
        return (i / accountIds.size()) % 100 + 1;
    }

    String amount(int i) {
        return Money.toMajor(amountMinor(i), EUR);
    }

    Command command(int i) {
        return debit(i) ? Command.debit(transactionId(i), accountOf(i), amount(i))
                : Command.credit(transactionId(i), accountOf(i), amount(i));
    }

    /**
     * What is wrong with the ACCEPTED, first-time outcome of command {@code i} beyond that, or null. A credit or debit
     * has nothing more to check: the balances at the end show what it did.
     */
    String check(int i, Outcome outcome) {
        return null;
    }

    // opening the accounts: their own ids, index a = account a

    String openTransactionId(int a) {
        return prefix + "-open-" + a;
    }

    int openIndexOf(String transactionId) {
        String p = prefix + "-open-";
        if (transactionId == null || !transactionId.startsWith(p)) return -1;
        try {
            int a = Integer.parseInt(transactionId, p.length(), transactionId.length(), 10);
            return a >= 0 && a < accountIds.size() ? a : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    long openingMinor(int a) {
        return OPENING_MINOR + a;
    }

    /** Who owns the bench's accounts and sends its REST requests. */
    static final String PRINCIPAL = "bench";

    Command open(int a) {
        // owned by the bench's principal, whose token the REST scenarios use: every request is authorized for real
        return Command.open(openTransactionId(a), accountIds.get(a), CURRENCY, Money.toMajor(openingMinor(a), EUR))
                .ownedBy(PRINCIPAL);
    }

    /** Every account's balance once the first {@code applied} commands are applied, in minor units. */
    Map<String, Long> expectedBalances(int applied) {
        Map<String, Long> balances = new HashMap<>();
        for (int a = 0; a < accountIds.size(); a++) balances.put(accountIds.get(a), openingMinor(a));
        for (int i = 0; i < applied; i++) {
            long signed = debit(i) ? -amountMinor(i) : amountMinor(i);
            balances.merge(accountOf(i), signed, Long::sum);
        }
        return balances;
    }
}
