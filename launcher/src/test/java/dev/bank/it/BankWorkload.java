package dev.bank.it;

import dev.bank.schemas.Command;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A seeded random bank workload in the spirit of Jepsen's bank test: opens, credits, debits and transfers over
 * accounts in two currencies, most traffic on a few hot accounts, transfers that must be refunded (unknown
 * destination, other currency), and retries of already sent transactionIds. Every command is sent on a customer's
 * behalf, as the gateway sends them; a few by a stranger who owns none of the accounts. The same seed gives the same
 * list.
 */
final class BankWorkload {
    static final List<String> EUR = accounts("eur-", 20);
    static final List<String> USD = accounts("usd-", 10);
    static final List<String> HOT = List.of("eur-00", "eur-01", "usd-00");
    /** The principal that owns every account of the workload. */
    static final String CUSTOMER = "bank-test-customer";
    /** A principal who owns none of them. */
    static final String STRANGER = "bank-test-stranger";

    private final Random random;
    private final List<Command> sent = new ArrayList<>();
    private int issued;

    BankWorkload(long seed) {
        this.random = new Random(seed);
    }

    /** One open per account, each with an opening deposit. */
    List<Command> opens() {
        List<Command> opens = new ArrayList<>();
        for (String a : EUR) opens.add(Command.open("open-" + a, a, "EUR", amount(100, 1000)).by(CUSTOMER, false));
        for (String a : USD) opens.add(Command.open("open-" + a, a, "USD", amount(100, 1000)).by(CUSTOMER, false));
        sent.addAll(opens);
        return opens;
    }

    /** The next {@code n} operations, about one in ten of them a retry of an earlier command. */
    List<Command> next(int n) {
        List<Command> batch = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Command c = random.nextInt(10) == 0 ? sent.get(random.nextInt(sent.size())) : fresh();
            // a stranger's command leaves nothing to retry against (each of its sends is answered anew)
            if (!STRANGER.equals(c.principal())) sent.add(c);
            batch.add(c);
        }
        return batch;
    }

    private Command fresh() {
        String id = "op-" + issued++;
        String account = random.nextInt(10) < 6 ? HOT.get(random.nextInt(HOT.size())) : any();
        int kind = random.nextInt(100);
        Command c;
        if (kind < 35) c = Command.credit(id, account, amount(1, 200));
        else if (kind < 65) c = Command.debit(id, account, amount(1, 300));
        else c = Command.transfer(id, account, destination(account), amount(1, 250), random.nextBoolean() ? "ref " + id : null);
        // as the gateway sends them: on behalf of the customer who owns every account, so each command is
        // authorized by the processor (and one in twenty by a stranger, refused as for a missing account)
        return random.nextInt(20) == 0 ? c.by(STRANGER, false) : c.by(CUSTOMER, false);
    }

    private String destination(String from) {
        int roll = random.nextInt(100);
        if (roll < 4) return "ghost-" + random.nextInt(5);          // refunded: no such account
        List<String> same = from.startsWith("eur-") ? EUR : USD;
        List<String> other = from.startsWith("eur-") ? USD : EUR;
        if (roll < 12) return other.get(random.nextInt(other.size())); // refunded: other currency
        if (roll < 14) return from;                                   // refused up front: same account
        String to = roll < 50 ? HOT.get(random.nextInt(HOT.size())) : same.get(random.nextInt(same.size()));
        return to.equals(from) ? same.get((same.indexOf(from) + 1) % same.size()) : to;
    }

    private String any() {
        return random.nextInt(3) == 0 ? USD.get(random.nextInt(USD.size())) : EUR.get(random.nextInt(EUR.size()));
    }

    private String amount(int min, int max) {
        return (min + random.nextInt(max - min + 1)) + "." + String.format("%02d", random.nextInt(100));
    }

    private static List<String> accounts(String prefix, int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) ids.add(prefix + String.format("%02d", i));
        return List.copyOf(ids);
    }
}
