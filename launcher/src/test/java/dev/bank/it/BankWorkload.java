package dev.bank.it;

import dev.bank.schemas.Command;
import dev.bank.schemas.CommandType;
import dev.bank.schemas.FxQuote;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * A seeded random bank workload in the spirit of Jepsen's bank test: opens, credits, debits and transfers over
 * accounts in two currencies, most traffic on a few hot accounts, transfers that must be refunded (unknown
 * destination, other currency), and retries of already sent transactionIds. On top of those, the money controls:
 * overdraft limits set (raised and cut) by an admin, freezes and unfreezes, holds with and without a short expiry,
 * partial and full captures, voids, and captures and voids of holds the workload already ended (or let expire),
 * which must be refused. With the fraud rules on, some payments go to review: the workload decides some reviews as a
 * trusted system would (APPROVE_REVIEW / REJECT_REVIEW, no principal) without knowing which payments went to review,
 * as an operator working a queue by amount: mostly recent large payments, within their review's deadline; some at
 * about the deadline, racing it; some long after it, or of payments never reviewed, which must be refused
 * (REVIEW_NOT_PENDING, REVIEW_NOT_FOUND); some a second time; and a customer now and then tries to capture or void a
 * payment's review hold, which is not theirs to end. Every customer command is sent on the owning customer's behalf,
 * as the gateway sends them; limits and freezes by an admin; a few commands by a stranger who owns none of the
 * accounts. The same seed gives the same list; only a hold's expiry is taken from the clock when its batch is made
 * (its distance from then is seeded), since the processor reads it against record time.
 */
final class BankWorkload {
    static final List<String> EUR = accounts("eur-", 20);
    static final List<String> USD = accounts("usd-", 10);
    static final List<String> HOT = List.of("eur-00", "eur-01", "usd-00");
    /** The principal that owns every account of the workload. */
    static final String CUSTOMER = "bank-test-customer";
    /** The admin who sets limits and freezes accounts. */
    static final String ADMIN = "bank-test-admin";
    /** A principal who owns none of them. */
    static final String STRANGER = "bank-test-stranger";
    /** Overdraft limits an admin sets, in minor units: 0 (none) also cuts a limit the account may be using. */
    private static final long[] LIMITS = {0, 5_000, 15_000, 40_000};
    /** The longest hold expiry: the end of the run waits for every expiring hold to be released. */
    static final int MAX_EXPIRY_SECONDS = 25;
    /**
     * How fast the test sends operations. Record times are the broker's, so this is what spreads a batch over time:
     * the velocity rule counts per window, and a decision {@link #REVIEW_TIMEOUT_SECONDS} × this many operations
     * after a payment meets its review's deadline.
     */
    static final int OPERATIONS_PER_SECOND = 150;
    /** The review deadline the processors run with ({@code BANK_FRAUD_REVIEW_TIMEOUT}). */
    static final int REVIEW_TIMEOUT_SECONDS = 3;

    /**
     * What a fresh operation is, with its share in percent; the checks reconcile money per currency.
     */
    private enum Kind {
        CREDIT(22), DEBIT(20), TRANSFER(19), FX_TRANSFER(6), PLACE_HOLD(12), CAPTURE(8), VOID(3), LIMITS(3), FREEZE(3),
        DECIDE_REVIEW(4);

        final int weight;

        Kind(int weight) {
            this.weight = weight;
        }
    }

    /** A hold as the workload last left it; whether the processor agrees (it may have refused or expired it) is the test's to find out. */
    private static final class PlannedHold {
        final String holdId;
        final String accountId;
        final long amountMinor;
        long capturedMinor;
        boolean ended;

        PlannedHold(String holdId, String accountId, long amountMinor) {
            this.holdId = holdId;
            this.accountId = accountId;
            this.amountMinor = amountMinor;
        }
    }

    /** A debit or transfer the workload sent, which the rules may have sent to review: at operation {@code op}. */
    private record Payment(String transactionId, String accountId, long amountMinor, int op, boolean transfer) {

        /** Large enough for the test's large amount (debits) or new payee (transfers) threshold to review it. */
        boolean large() {
            return amountMinor >= (transfer ? 20_000 : 25_000);
        }
    }

    private final Random random;
    private final List<Command> sent = new ArrayList<>();
    private final List<PlannedHold> holds = new ArrayList<>();
    private final List<Payment> payments = new ArrayList<>();
    /** The payments decided so far (a second decision of one must be refused, if the first was taken). */
    private final List<Payment> decided = new ArrayList<>();
    private final Set<String> frozen = new HashSet<>();
    private int issued;
    /** The first operation of the batch being made. */
    private int batchStart;

    BankWorkload(long seed) {
        this.random = new Random(seed);
        int total = 0;
        for (Kind k : Kind.values()) total += k.weight;
        if (total != 100) throw new IllegalStateException("the operation mix adds up to " + total + "%, not 100%");
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
        Instant now = Instant.now();
        batchStart = issued;
        List<Command> batch = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Command c = random.nextInt(10) == 0 ? sent.get(random.nextInt(sent.size())) : fresh(now);
            // a stranger's command leaves nothing to retry against (each of its sends is answered anew)
            if (!STRANGER.equals(c.principal())) sent.add(c);
            batch.add(c);
        }
        return batch;
    }

    private Command fresh(Instant now) {
        String id = "op-" + issued++;
        String account = random.nextInt(10) < 6 ? HOT.get(random.nextInt(HOT.size())) : any();
        Command c;
        switch (kind()) {
            case CREDIT -> c = Command.credit(id, account, amount(1, 200));
            case DEBIT -> c = Command.debit(id, account, amount(1, 300));
            case TRANSFER -> c = Command.transfer(id, account, destination(account), amount(1, 250),
                    random.nextBoolean() ? "ref " + id : null);
            case FX_TRANSFER -> c = fxTransfer(id, account, now);
            case PLACE_HOLD -> c = placeHold(id, account, now);
            case CAPTURE -> c = capture(id);
            case VOID -> c = voidHold(id);
            case DECIDE_REVIEW -> {
                return decideReview(id);
            }
            case LIMITS -> {
                long limit = LIMITS[random.nextInt(LIMITS.length)];
                return Command.setLimits(id, account, major(limit), null, null).by(ADMIN, true);
            }
            case FREEZE -> {
                // one frozen account at a time: a frozen hot account refuses most of what comes its way
                if (!frozen.isEmpty()) {
                    String thawed = frozen.stream().sorted().toList().get(random.nextInt(frozen.size()));
                    frozen.remove(thawed);
                    return Command.of(CommandType.UNFREEZE_ACCOUNT, id, thawed).by(ADMIN, true);
                }
                frozen.add(account);
                return Command.of(CommandType.FREEZE_ACCOUNT, id, account).by(ADMIN, true);
            }
            default -> throw new IllegalStateException();
        }
        // as the gateway sends them: on behalf of the customer who owns every account, so each command is
        // authorized by the processor (and one in twenty by a stranger, refused as for a missing account)
        if (random.nextInt(20) == 0) return c.by(STRANGER, false);
        if ((c.type() == CommandType.DEBIT || c.type() == CommandType.TRANSFER) && c.amount() != null) {
            // both currencies have cents
            payments.add(new Payment(id, c.accountId(), AccountReplay.minor(c.amount(), "EUR"), issued,
                    c.type() == CommandType.TRANSFER));
        }
        return c.by(CUSTOMER, false);
    }

    /**
     * An admin's decision on a payment's review, as a trusted system sends it (no principal), blind to which payments
     * went to review: 40% one of the last large payments (the ones an operator looks at first, and the rules
     * review), before its deadline; 40% a large one sent about {@link #REVIEW_TIMEOUT_SECONDS} ago, racing the
     * deadline; 10% any earlier payment (long expired, or never reviewed); 10% a payment already decided, again. When
     * there is no such payment yet, a credit.
     */
    private Command decideReview(String id) {
        int roll = random.nextInt(100);
        Payment p;
        if (roll < 40) {
            p = large(payments.size() - 30, payments.size());
        } else if (roll < 80) {
            // sent about a review's timeout ago in this batch (the test waits between batches): its deadline is
            // about now
            int back = REVIEW_TIMEOUT_SECONDS * OPERATIONS_PER_SECOND;
            int from = Math.max(batchStart, issued - back - back / 5);
            int to = issued - back + back / 5;
            List<Payment> around = payments.stream().filter(x -> x.op() >= from && x.op() <= to).toList();
            p = around.isEmpty() ? null : large(payments.indexOf(around.get(0)),
                    payments.indexOf(around.get(around.size() - 1)) + 1);
        } else if (roll < 90) {
            p = payments.isEmpty() ? null : payments.get(random.nextInt(payments.size()));
        } else {
            p = decided.isEmpty() ? null : decided.get(random.nextInt(decided.size()));
        }
        if (p == null) return Command.credit(id, any(), amount(1, 50)).by(CUSTOMER, false);
        decided.add(p);
        return Command.decideReview(id, p.accountId(), p.transactionId(), random.nextBoolean());
    }

    private Kind kind() {
        int roll = random.nextInt(100);
        for (Kind k : Kind.values()) {
            if (roll < k.weight) return k;
            roll -= k.weight;
        }
        throw new IllegalStateException();
    }

    /** Half the holds never expire; the others within seconds, some of them while an instance is down. */
    private Command placeHold(String id, String account, Instant now) {
        long amount = minor(1, 150);
        String expiresAt = random.nextBoolean() ? null
                : now.plusMillis(2_000 + random.nextInt((MAX_EXPIRY_SECONDS - 2) * 1_000)).toString();
        holds.add(new PlannedHold(id, account, amount));
        return Command.placeHold(id, account, major(amount), expiresAt, random.nextBoolean() ? "merchant " + id : null);
    }

    /**
     * Mostly a hold the workload has not ended (all that is left, or a part, now and then more than is left); one in
     * five a hold it voided or captured in full, which must be refused. A hold with no such history is a credit. One
     * in ten names a recent payment instead: its review's hold if it went to review (refused: not the customer's to
     * end), else no hold at all.
     */
    private Command capture(String id) {
        if (random.nextInt(10) == 0 && !payments.isEmpty()) {
            Payment p = payments.get(Math.max(0, payments.size() - 1 - random.nextInt(10)));
            return Command.captureHold(id, p.accountId(), p.transactionId(), null);
        }
        PlannedHold hold = pickHold(random.nextInt(5) > 0);
        if (hold == null) return Command.credit(id, any(), amount(1, 50));
        long left = hold.amountMinor - hold.capturedMinor;
        if (hold.ended || left <= 0 || random.nextInt(3) == 0) {
            hold.ended = true;
            hold.capturedMinor = hold.amountMinor;
            return Command.captureHold(id, hold.accountId, hold.holdId, null);
        }
        long part = 1 + (long) random.nextInt((int) Math.min(Integer.MAX_VALUE, left + left / 10));
        if (part <= left) hold.capturedMinor += part;
        if (hold.capturedMinor == hold.amountMinor) hold.ended = true;
        return Command.captureHold(id, hold.accountId, hold.holdId, major(part));
    }

    private Command voidHold(String id) {
        if (random.nextInt(10) == 0 && !payments.isEmpty()) {
            Payment p = payments.get(Math.max(0, payments.size() - 1 - random.nextInt(10)));
            return Command.voidHold(id, p.accountId(), p.transactionId());
        }
        PlannedHold hold = pickHold(random.nextInt(5) > 0);
        if (hold == null) return Command.credit(id, any(), amount(1, 50));
        hold.ended = true;
        return Command.voidHold(id, hold.accountId, hold.holdId);
    }

    /** A large payment (the rules review those) among {@code payments[from, to)}, else any of them; null if none. */
    private Payment large(int from, int to) {
        List<Payment> some = payments.subList(Math.max(0, from), Math.max(0, to));
        List<Payment> large = some.stream().filter(Payment::large).toList();
        List<Payment> pick = large.isEmpty() ? some : large;
        return pick.isEmpty() ? null : pick.get(random.nextInt(pick.size()));
    }

    /** A recent hold the workload has (open) or has not (not open) left active; null when there is none. */
    private PlannedHold pickHold(boolean open) {
        List<PlannedHold> candidates = holds.subList(Math.max(0, holds.size() - 40), holds.size()).stream()
                .filter(h -> h.ended != open).toList();
        return candidates.isEmpty() ? null : candidates.get(random.nextInt(candidates.size()));
    }

    /** Rates each way, with digits enough that conversions round both ways. */
    private static final String[] EUR_USD = {"1.08325", "1.1", "0.99999", "1.23456789"};
    private static final String[] USD_EUR = {"0.92311", "0.9", "1.00001", "0.81234567"};

    /**
     * A transfer into the other currency at a quote, as the gateway sends one: mostly live and into the destination's
     * currency; some expired (refused before anything moves), some converting into a currency the destination does
     * not hold, or to an account of the source's own currency or none (refunded, no position moves).
     */
    private Command fxTransfer(String id, String from, Instant now) {
        boolean eur = from.startsWith("eur-");
        List<String> other = eur ? USD : EUR;
        int roll = random.nextInt(100);
        String to = roll < 5 ? "ghost-" + random.nextInt(5)
                : roll < 12 ? (eur ? EUR : USD).stream().filter(a -> !a.equals(from)).findFirst().orElseThrow()
                : other.get(random.nextInt(other.size()));
        String target = random.nextInt(10) == 0 ? "GBP" : eur ? "USD" : "EUR";
        String[] rates = eur ? EUR_USD : USD_EUR;
        String validUntil = random.nextInt(100) < 12 ? now.minusSeconds(60).toString() : now.plusSeconds(3600).toString();
        FxQuote quote = new FxQuote("quote-" + id, eur ? "EUR" : "USD", target, rates[random.nextInt(rates.length)],
                validUntil);
        return Command.transfer(id, from, to, amount(1, 250), null, quote);
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

    /** Minor units of an amount between {@code min} and {@code max} major units (both currencies have cents). */
    private long minor(int min, int max) {
        return (min + random.nextInt(max - min + 1)) * 100L + random.nextInt(100);
    }

    private static String major(long minor) {
        return minor / 100 + "." + String.format("%02d", minor % 100);
    }

    private static List<String> accounts(String prefix, int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) ids.add(prefix + String.format("%02d", i));
        return List.copyOf(ids);
    }
}
