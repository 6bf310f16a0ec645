package dev.bank.bench;

import dev.bank.schemas.Command;
import dev.bank.schemas.CommandType;
import dev.bank.schemas.FraudRule;
import dev.bank.schemas.FraudRules;
import dev.bank.schemas.Money;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Labelled synthetic banking activity, to measure how well the fraud rules tell fraud from honest customers: which
 * payments they stop (precision) and how much of the fraud they catch (recall). Each command carries a label, the fraud
 * pattern it is part of or {@link Pattern#NONE}, and a record time spread over simulated days as real activity is,
 * because every rule counts in windows of record time.
 *
 * <p><b>Ordinary customers.</b> Personal customers (85%) each have their own typical card payment (a median between 8
 * and 150 EUR), a few card payments a day in waking hours, two or three monthly bills to shared utility accounts,
 * usually rent to a landlord, a monthly salary, and some sweep part of it to savings soon after it arrives. Small
 * businesses (15%) have larger typical payments (200 to 2,500 EUR) to a handful of regular suppliers, and sales coming
 * in during the day; half of them pay 4-14 employees each month in one batch, seconds apart. The first
 * {@code historyDays} are the accounts' history: they give each account the regular payees and the outflows a real
 * account has before anything is measured, and are not scored: in its first days each account pays each of its
 * regular payees once (two a day), as the account's earlier life would have. Each paying account is exempt from the
 * rules during its history (SET_FRAUD_RULES, as an admin exempts an account) and back on the bank's defaults for the
 * measured days, so that all of its history is applied and in its profile, as a real account's would be.
 *
 * <p><b>Injected fraud</b>, each incident on its own victim after the history: a <i>velocity</i> burst (an account
 * taken over: 12-24 debits seconds apart), a <i>large amount</i> (one debit 15-60 times the customer's median), a
 * <i>daily outflow</i> drain (22,000-35,000 EUR in 3-6 debits in one day), a large first transfer to a <i>new
 * payee</i>, a <i>mule</i> (3,000-15,000 EUR in, 85-98% of it out again within the hour to new payees or as cash) and
 * <i>structuring</i> (3-5 payments of 9,000-9,990 EUR within a day). Every command of an incident carries its pattern,
 * the mule's incoming credit too, although only debits and transfers are ever checked.
 *
 * <p><b>Hard negatives</b>: honest behaviour near the thresholds, labelled NONE, so that precision means something: a
 * big purchase of 3-9 times the customer's median, a busy shopping spree (4-7 payments within minutes), a first
 * transfer under 2,000 EUR to a new payee (a tradesman), a salary swept 50-75% to savings within the hour, a business
 * day of 14,000-19,500 EUR to known suppliers, and one to three invoices of 9,000-9,990 EUR in a day (three in one case
 * in five). Some honest behaviour is beyond a threshold and looks like fraud to any rule: a car bought from a dealer
 * never paid before (3,000-15,000 EUR, 5% of personal customers), a payroll batch, rent and bills to known payees
 * however large against the card payments, a business paying out what its sales just brought in. They are ordinary
 * activity, labelled NONE: what the rules stop of it is their false alarms.
 *
 * <p>Every account opens with enough to cover every payment it will make, so no payment is refused for want of money
 * and the rules alone decide. The same settings, start and id prefix give the same commands, ids and timestamps: all
 * randomness comes from the seed, and the arithmetic is {@link StrictMath}'s.
 */
final class FraudWorkload {
    static final String CURRENCY = "EUR";
    private static final long SECOND = 1_000;
    private static final long MINUTE = 60 * SECOND;
    private static final long HOUR = 60 * MINUTE;
    private static final long DAY = 24 * HOUR;
    /** Cents. */
    private static final long EUR = 100;
    /** An account's own rules that exempt it (an admin's SET_FRAUD_RULES). */
    private static final FraudRules EXEMPT = new FraudRules(false, null, null, null, null, null);

    /** What a command is part of: one of the fraud patterns, each named after the rule meant to catch it, or none. */
    enum Pattern {
        NONE(null), VELOCITY(FraudRule.VELOCITY), LARGE_AMOUNT(FraudRule.LARGE_AMOUNT),
        DAILY_OUTFLOW(FraudRule.DAILY_OUTFLOW), NEW_PAYEE(FraudRule.NEW_PAYEE), MULE(FraudRule.MULE),
        STRUCTURING(FraudRule.STRUCTURING);

        private final FraudRule rule;

        Pattern(FraudRule rule) {
            this.rule = rule;
        }

        /** The rule meant to catch this pattern; null for NONE. */
        FraudRule rule() {
            return rule;
        }

        boolean fraud() {
            return this != NONE;
        }
    }

    /**
     * One command with its label.
     *
     * @param timestamp the record time to send it with, epoch millis
     * @param behaviour what it models ({@code card}, {@code rent}, {@code takeover}, {@code big-purchase}...), to tell
     *                  which honest behaviour the rules stop
     * @param incident  the fraud incident it belongs to (every command of one attack), -1 for none
     * @param history   part of the accounts' history before the measured days: not scored
     */
    record Labelled(Command command, long timestamp, Pattern pattern, String behaviour, int incident,
                    boolean history) {
        /** A debit or transfer: what the rules check. */
        boolean screened() {
            return command.type() == CommandType.DEBIT || command.type() == CommandType.TRANSFER;
        }

        /** Counted in precision and recall: a checked command of the measured days. */
        boolean scored() {
            return screened() && !history;
        }
    }

    /**
     * @param customers           ordinary customers (some become victims; dormant accounts for mules come on top)
     * @param days                simulated days, history included
     * @param historyDays         the first days, which build the accounts' history and are not scored
     * @param incidentsPerPattern fraud incidents of each of the six patterns
     */
    record Settings(long seed, int customers, int days, int historyDays, int incidentsPerPattern) {
        Settings {
            if (customers < 1 || incidentsPerPattern < 0 || historyDays < 1 || days <= historyDays) {
                throw new IllegalArgumentException("a fraud workload needs customers, history days and days after "
                        + "them: " + customers + " customers, " + historyDays + " of " + days + " days");
            }
        }

        /**
         * About {@code n} commands: six weeks (two of history), a customer per hundred commands (each makes about that
         * many) and an incident of each pattern per 20 customers.
         */
        static Settings about(long seed, int n) {
            int customers = Math.max(10, n / 100);
            return new Settings(seed, customers, 42, 14, Math.max(1, customers / 20));
        }
    }

    private final Settings settings;
    private final String prefix;
    private final List<Labelled> commands;
    private final List<String> accountIds;
    private final Map<String, Integer> indexByTransactionId;

    private FraudWorkload(Settings settings, String prefix, List<Labelled> commands, List<String> accountIds) {
        this.settings = settings;
        this.prefix = prefix;
        this.commands = List.copyOf(commands);
        this.accountIds = List.copyOf(accountIds);
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < commands.size(); i++) index.put(commands.get(i).command().transactionId(), i);
        this.indexByTransactionId = Map.copyOf(index);
    }

    /**
     * The workload of {@code settings}, its first simulated day starting at {@code start} (a UTC midnight keeps the
     * simulated days on the business days), every account and transaction id starting with {@code prefix}.
     */
    static FraudWorkload generate(Settings settings, Instant start, String prefix) {
        return new Generator(settings, start.toEpochMilli(), prefix).generate();
    }

    Settings settings() {
        return settings;
    }

    String prefix() {
        return prefix;
    }

    /** Every command, account openings first, in record-time order (the order to send them in). */
    List<Labelled> commands() {
        return commands;
    }

    List<String> accountIds() {
        return accountIds;
    }

    /** The index of one of this workload's transactionIds in {@link #commands()}, or -1. */
    int indexOf(String transactionId) {
        Integer i = transactionId == null ? null : indexByTransactionId.get(transactionId);
        return i == null ? -1 : i;
    }

    /** The fraud incidents, each with its pattern. */
    Map<Integer, Pattern> incidents() {
        Map<Integer, Pattern> incidents = new HashMap<>();
        for (Labelled l : commands) if (l.incident() >= 0) incidents.put(l.incident(), l.pattern());
        return incidents;
    }

    /** Builds the commands: accounts and their behaviour first, then the timeline sorted by record time. */
    private static final class Generator {
        private final Settings s;
        private final long start;
        private final LocalDate firstDate;
        private final String prefix;
        private final List<Account> accounts = new ArrayList<>();
        private final List<Draft> drafts = new ArrayList<>();
        private final List<Account> utilities = new ArrayList<>();
        private final List<Account> landlords = new ArrayList<>();
        private final List<Account> suppliers = new ArrayList<>();
        private int incidents;
        private int strangers;

        Generator(Settings settings, long start, String prefix) {
            this.s = settings;
            this.start = start;
            this.firstDate = Instant.ofEpochMilli(start).atOffset(ZoneOffset.UTC).toLocalDate();
            this.prefix = prefix;
        }

        FraudWorkload generate() {
            SplittableRandom world = new SplittableRandom(s.seed());
            for (int i = 0; i < 8; i++) utilities.add(payee("u" + i));
            for (int i = 0; i < Math.max(2, s.customers() / 4); i++) landlords.add(payee("l" + i));
            int businesses = 0;
            List<Customer> customers = new ArrayList<>();
            for (int i = 0; i < s.customers(); i++) {
                SplittableRandom own = new SplittableRandom(s.seed() * 0x9E3779B97F4A7C15L + i);
                boolean business = own.nextInt(100) < 15;
                if (business) businesses++;
                customers.add(new Customer(account("c" + i, true), business, own));
            }
            for (int i = 0; i < Math.max(12, businesses * 3); i++) suppliers.add(payee("s" + i));
            for (Customer c : customers) c.plan();
            for (Customer c : customers) c.live();
            injectFraud(customers, world);
            for (Customer c : customers) c.hardNegatives();
            return timeline();
        }

        private Account payee(String name) {
            return account(name, false);
        }

        private Account account(String name, boolean pays) {
            Account a = new Account(prefix + "-" + name, accounts.size(), pays);
            accounts.add(a);
            return a;
        }

        /** A fresh account nobody has paid yet (a fraudster's, a tradesman's): a new payee for sure. */
        private Account stranger() {
            return payee("x" + strangers++);
        }

        /**
         * Opens the accounts, exempts those that pay from the rules for the history (and only then), sorts the drafts
         * by record time (generation order within one millisecond) and gives them their ids.
         */
        private FraudWorkload timeline() {
            List<Labelled> out = new ArrayList<>();
            List<Labelled> rulesBack = new ArrayList<>();
            long measured = start + s.historyDays() * DAY;
            for (Account a : accounts) {
                long deposit = a.pays ? Math.max(100 * EUR, a.outflow + 500 * EUR) : 0;
                Command open = Command.open(prefix + "-o" + a.index, a.id, CURRENCY,
                        deposit == 0 ? null : major(deposit));
                out.add(new Labelled(open, start + a.index, Pattern.NONE, "open", -1, true));
                if (!a.pays) continue;
                // The history is what the account did before the rules looked: all of it applied, so its payees and
                // outflows are in the profile as a real account's are. The rules apply from the measured days on.
                out.add(new Labelled(Command.setFraudRules(prefix + "-h" + a.index, a.id, EXEMPT),
                        start + accounts.size() + a.index, Pattern.NONE, "history", -1, true));
                rulesBack.add(new Labelled(Command.setFraudRules(prefix + "-r" + a.index, a.id, FraudRules.DEFAULTS),
                        measured - HOUR + a.index, Pattern.NONE, "history", -1, true));
            }
            out.sort(Comparator.comparingLong(Labelled::timestamp));
            List<Draft> sorted = new ArrayList<>(drafts);
            sorted.sort(Comparator.comparingLong(Draft::at).thenComparingInt(Draft::seq));
            int t = 0;
            int back = 0;
            for (Draft d : sorted) {
                while (back < rulesBack.size() && rulesBack.get(back).timestamp() <= d.at) {
                    out.add(rulesBack.get(back++));
                }
                String id = prefix + "-t" + t++;
                Command c = switch (d.type) {
                    case CREDIT -> Command.credit(id, d.from.id, major(d.amount));
                    case DEBIT -> Command.debit(id, d.from.id, major(d.amount));
                    case TRANSFER -> Command.transfer(id, d.from.id, d.to.id, major(d.amount), d.behaviour);
                    default -> throw new IllegalStateException(d.type.toString());
                };
                out.add(new Labelled(c, d.at, d.pattern, d.behaviour, d.incident, d.history));
            }
            out.addAll(rulesBack.subList(back, rulesBack.size()));
            return new FraudWorkload(s, prefix, out, accounts.stream().map(a -> a.id).toList());
        }

        private void draft(Account from, CommandType type, Account to, long amount, long at, Pattern pattern,
                           String behaviour, int incident) {
            long minor = Math.max(1 * EUR, amount);
            boolean history = at < start + s.historyDays() * DAY;
            drafts.add(new Draft(from, type, to, minor, at, pattern, behaviour, incident, history, drafts.size()));
            if (type != CommandType.CREDIT) from.outflow += minor;
        }

        private void honest(Account from, CommandType type, Account to, long amount, long at, String behaviour) {
            draft(from, type, to, amount, at, Pattern.NONE, behaviour, -1);
        }

        /** Spreads the patterns over victims drawn from the customers, each victim once while there are enough. */
        private void injectFraud(List<Customer> customers, SplittableRandom rnd) {
            List<Customer> victims = new ArrayList<>(customers);
            Collections.shuffle(victims, new java.util.Random(rnd.nextLong()));
            List<Customer> used = new ArrayList<>();
            for (int i = 0; i < s.incidentsPerPattern(); i++) {
                for (Pattern p : Pattern.values()) {
                    if (p == Pattern.NONE) continue;
                    int incident = incidents++;
                    if (p == Pattern.MULE && i % 2 == 0) {
                        // a dormant account opened for the purpose: no history at all
                        mule(dormant(), incident, rnd);
                        continue;
                    }
                    Customer victim = pick(victims, used, p);
                    switch (p) {
                        case VELOCITY -> velocity(victim, incident);
                        case LARGE_AMOUNT -> largeAmount(victim, incident);
                        case DAILY_OUTFLOW -> dailyOutflow(victim, incident);
                        case NEW_PAYEE -> newPayee(victim, incident);
                        case MULE -> mule(victim.account, incident, victim.rnd);
                        case STRUCTURING -> structuring(victim, incident);
                        default -> throw new IllegalStateException(p.toString());
                    }
                }
            }
        }

        /**
         * The next unused victim the pattern suits: a large amount or a mule is a personal customer's, structuring a
         * business's (a personal customer's when no business is left); once every customer was a victim, one again.
         */
        private Customer pick(List<Customer> victims, List<Customer> used, Pattern p) {
            for (int pass = 0; pass < 4; pass++) {
                for (Customer c : victims) {
                    if (pass < 2 && used.contains(c)) continue;
                    boolean suits = pass == 3 || switch (p) {
                        case LARGE_AMOUNT, MULE -> !c.business;
                        case STRUCTURING -> c.business || pass == 1;
                        default -> true;
                    };
                    if (suits) {
                        used.add(c);
                        return c;
                    }
                }
            }
            throw new IllegalStateException("no customers");
        }

        private Account dormant() {
            return account("m" + accounts.size(), true);
        }

        /** A random time on a measured day, between two hours of it. */
        private long measuredTime(SplittableRandom rnd, int fromHour, int toHour) {
            int day = s.historyDays() + rnd.nextInt(s.days() - s.historyDays());
            return start + day * DAY + fromHour * HOUR + rnd.nextLong((toHour - fromHour) * HOUR);
        }

        private void velocity(Customer c, int incident) {
            SplittableRandom rnd = c.rnd;
            long at = measuredTime(rnd, 0, 23);
            int count = 12 + rnd.nextInt(13);
            for (int i = 0; i < count; i++) {
                at += 5 * SECOND + rnd.nextLong(35 * SECOND);
                draft(c.account, CommandType.DEBIT, null, logUniform(rnd, 20 * EUR, 400 * EUR), at, Pattern.VELOCITY,
                        "takeover", incident);
            }
        }

        private void largeAmount(Customer c, int incident) {
            SplittableRandom rnd = c.rnd;
            long amount = Math.min(8_000 * EUR, Math.max(600 * EUR, (long) (c.median * uniform(rnd, 15, 60))));
            draft(c.account, CommandType.DEBIT, null, amount, measuredTime(rnd, 9, 21), Pattern.LARGE_AMOUNT,
                    "stolen-card", incident);
        }

        private void dailyOutflow(Customer c, int incident) {
            SplittableRandom rnd = c.rnd;
            long total = uniformMinor(rnd, 22_000 * EUR, 35_000 * EUR);
            int count = 3 + rnd.nextInt(4);
            long at = measuredTime(rnd, 8, 12);
            for (int i = 0; i < count; i++) {
                long part = (long) (total / count * uniform(rnd, 0.8, 1.2));
                draft(c.account, CommandType.DEBIT, null, part, at, Pattern.DAILY_OUTFLOW, "drain", incident);
                at += 20 * MINUTE + rnd.nextLong(70 * MINUTE);
            }
        }

        private void newPayee(Customer c, int incident) {
            SplittableRandom rnd = c.rnd;
            draft(c.account, CommandType.TRANSFER, stranger(), uniformMinor(rnd, 2_500 * EUR, 8_900 * EUR),
                    measuredTime(rnd, 8, 22), Pattern.NEW_PAYEE, "scam-transfer", incident);
        }

        private void mule(Account mule, int incident, SplittableRandom rnd) {
            long in = uniformMinor(rnd, 3_000 * EUR, 15_000 * EUR);
            long at = measuredTime(rnd, 9, 20);
            draft(mule, CommandType.CREDIT, null, in, at, Pattern.MULE, "mule-in", incident);
            int count = 1 + rnd.nextInt(3);
            long out = (long) (in * uniform(rnd, 0.85, 0.98));
            long[] offsets = new long[count];
            for (int i = 0; i < count; i++) offsets[i] = 10 * MINUTE + rnd.nextLong(40 * MINUTE);
            java.util.Arrays.sort(offsets);
            long left = out;
            for (int i = 0; i < count; i++) {
                long part = i == count - 1 ? left : (long) (out / count * uniform(rnd, 0.7, 1.3));
                left -= part;
                boolean cash = rnd.nextInt(10) < 3;
                draft(mule, cash ? CommandType.DEBIT : CommandType.TRANSFER, cash ? null : stranger(), part,
                        at + offsets[i], Pattern.MULE, cash ? "mule-cash" : "mule-out", incident);
            }
        }

        private void structuring(Customer c, int incident) {
            SplittableRandom rnd = c.rnd;
            int count = 3 + rnd.nextInt(3);
            long at = measuredTime(rnd, 7, 9);
            for (int i = 0; i < count; i++) {
                long amount = uniformMinor(rnd, 9_000 * EUR, 9_990 * EUR);
                if (c.business) {
                    draft(c.account, CommandType.TRANSFER, c.regular(rnd), amount, at, Pattern.STRUCTURING,
                            "structuring", incident);
                } else {
                    draft(c.account, CommandType.DEBIT, null, amount, at, Pattern.STRUCTURING, "structuring",
                            incident);
                }
                at += 90 * MINUTE + rnd.nextLong(150 * MINUTE);
            }
        }

        /** One ordinary customer: its parameters, then its days. */
        private final class Customer {
            final Account account;
            final boolean business;
            final SplittableRandom rnd;
            /** The typical payment, cents. */
            long median;
            double paymentsPerDay;
            double salesPerDay;
            long salary;
            int salaryDay;
            Account landlord;
            long rent;
            int rentDay;
            Account savings;
            double sweep;
            final List<Account> billPayees = new ArrayList<>();
            final List<Long> billAmounts = new ArrayList<>();
            final List<Integer> billDays = new ArrayList<>();
            final List<Account> ownSuppliers = new ArrayList<>();
            final List<Account> employees = new ArrayList<>();
            final List<Long> wages = new ArrayList<>();

            Customer(Account account, boolean business, SplittableRandom rnd) {
                this.account = account;
                this.business = business;
                this.rnd = rnd;
            }

            void plan() {
                if (business) {
                    median = logUniform(rnd, 200 * EUR, 2_500 * EUR);
                    paymentsPerDay = uniform(rnd, 0.5, 2.0);
                    salesPerDay = uniform(rnd, 1.0, 4.0);
                    int n = Math.min(suppliers.size(), 5 + rnd.nextInt(8));
                    while (ownSuppliers.size() < n) {
                        Account s = suppliers.get(rnd.nextInt(suppliers.size()));
                        if (!ownSuppliers.contains(s)) ownSuppliers.add(s);
                    }
                    if (rnd.nextInt(100) < 50) {
                        for (int e = 4 + rnd.nextInt(11); e > 0; e--) {
                            employees.add(payee("e" + account.index + "-" + e));
                            wages.add(uniformMinor(rnd, 1_600 * EUR, 3_800 * EUR));
                        }
                        salaryDay = 25 + rnd.nextInt(4);
                    }
                    return;
                }
                median = logUniform(rnd, 8 * EUR, 150 * EUR);
                paymentsPerDay = uniform(rnd, 0.7, 3.5);
                salary = uniformMinor(rnd, 1_800 * EUR, 5_000 * EUR);
                salaryDay = new int[] {1, 15, 25, 26, 27, 28}[rnd.nextInt(6)];
                if (rnd.nextInt(100) < 70) {
                    landlord = landlords.get(rnd.nextInt(landlords.size()));
                    rent = uniformMinor(rnd, 450 * EUR, 1_800 * EUR);
                    rentDay = 1 + rnd.nextInt(3);
                }
                int bills = 2 + rnd.nextInt(2);
                while (billPayees.size() < bills) {
                    Account u = utilities.get(rnd.nextInt(utilities.size()));
                    if (billPayees.contains(u)) continue;
                    billPayees.add(u);
                    billAmounts.add(uniformMinor(rnd, 15 * EUR, 150 * EUR));
                    billDays.add(1 + rnd.nextInt(28));
                }
                if (rnd.nextInt(100) < 35) {
                    savings = payee("v" + account.index);
                    sweep = uniform(rnd, 0.50, 0.75);
                }
            }

            Account regular(SplittableRandom r) {
                return ownSuppliers.get(r.nextInt(ownSuppliers.size()));
            }

            /** The first day's payments to each regular payee, then every day's ordinary activity. */
            void live() {
                List<Account> regulars = new ArrayList<>();
                List<Long> amounts = new ArrayList<>();
                if (landlord != null) {
                    regulars.add(landlord);
                    amounts.add(rent);
                }
                for (int i = 0; i < billPayees.size(); i++) {
                    regulars.add(billPayees.get(i));
                    amounts.add(billAmounts.get(i));
                }
                if (savings != null) {
                    regulars.add(savings);
                    amounts.add(salary / 4);
                }
                for (Account s : ownSuppliers) {
                    regulars.add(s);
                    amounts.add((long) (median * uniform(rnd, 0.5, 1.5)));
                }
                for (int i = 0; i < employees.size(); i++) {
                    regulars.add(employees.get(i));
                    amounts.add(wages.get(i));
                }
                for (int i = 0; i < regulars.size(); i++) {
                    long when = start + (i / 2) % s.historyDays() * DAY + (i % 2 == 0 ? 9 : 14) * HOUR
                            + rnd.nextLong(3 * HOUR);
                    honest(account, CommandType.TRANSFER, regulars.get(i), amounts.get(i), when, "history");
                }
                for (int d = 1; d < s.days(); d++) day(d);
            }

            private long time(int day, double fromHour, double toHour) {
                return start + day * DAY + (long) (fromHour * HOUR) + rnd.nextLong((long) ((toHour - fromHour) * HOUR));
            }

            private void day(int d) {
                int dayOfMonth = firstDate.plusDays(d).getDayOfMonth();
                if (business) {
                    for (int i = poisson(rnd, salesPerDay); i > 0; i--) {
                        honest(account, CommandType.CREDIT, null, (long) (median * uniform(rnd, 0.5, 3.0)),
                                time(d, 8, 20), "sales");
                    }
                    for (int i = poisson(rnd, paymentsPerDay); i > 0; i--) {
                        long amount = Math.min(8_500 * EUR, logNormal(rnd, median, 0.5));
                        honest(account, CommandType.TRANSFER, regular(rnd), amount, time(d, 8, 18), "supplier");
                    }
                    for (int i = poisson(rnd, 0.3); i > 0; i--) {
                        honest(account, CommandType.DEBIT, null, (long) (median * uniform(rnd, 0.05, 0.3)),
                                time(d, 8, 20), "card");
                    }
                    if (!employees.isEmpty() && salaryDay == dayOfMonth) {
                        // one batch from the accounting software: seconds apart
                        long at = time(d, 9, 10);
                        for (int i = 0; i < employees.size(); i++) {
                            honest(account, CommandType.TRANSFER, employees.get(i), wages.get(i), at, "payroll");
                            at += 2 * SECOND + rnd.nextLong(8 * SECOND);
                        }
                    }
                    return;
                }
                for (int i = poisson(rnd, paymentsPerDay); i > 0; i--) {
                    honest(account, CommandType.DEBIT, null, logNormal(rnd, median, 0.6), time(d, 7, 22), "card");
                }
                for (int i = 0; i < billPayees.size(); i++) {
                    if (billDays.get(i) == dayOfMonth) {
                        long amount = (long) (billAmounts.get(i) * uniform(rnd, 0.9, 1.1));
                        honest(account, CommandType.TRANSFER, billPayees.get(i), amount, time(d, 9, 18), "bill");
                    }
                }
                if (landlord != null && rentDay == dayOfMonth) {
                    honest(account, CommandType.TRANSFER, landlord, rent, time(d, 8, 12), "rent");
                }
                if (salaryDay == dayOfMonth) {
                    long paid = time(d, 6, 8);
                    honest(account, CommandType.CREDIT, null, salary, paid, "salary");
                    if (savings != null) {
                        honest(account, CommandType.TRANSFER, savings, (long) (salary * sweep),
                                paid + 5 * MINUTE + rnd.nextLong(45 * MINUTE), "savings");
                    }
                }
            }

            /** Honest behaviour near the thresholds, each on some customers, on a measured day. */
            void hardNegatives() {
                if (business) {
                    if (rnd.nextInt(100) < 40) {
                        long total = uniformMinor(rnd, 14_000 * EUR, 19_500 * EUR);
                        int count = 2 + rnd.nextInt(3);
                        long at = measuredTime(rnd, 8, 10);
                        for (int i = 0; i < count; i++) {
                            honest(account, CommandType.TRANSFER, regular(rnd), total / count, at, "busy-day");
                            at += HOUR + rnd.nextLong(2 * HOUR);
                        }
                    }
                    if (rnd.nextInt(100) < 40) {
                        long at = measuredTime(rnd, 8, 12);
                        for (int i = rnd.nextInt(10) < 8 ? 1 + rnd.nextInt(2) : 3; i > 0; i--) {
                            honest(account, CommandType.TRANSFER, regular(rnd),
                                    uniformMinor(rnd, 9_000 * EUR, 9_990 * EUR), at, "big-invoice");
                            at += 2 * HOUR + rnd.nextLong(3 * HOUR);
                        }
                    }
                    return;
                }
                if (rnd.nextInt(100) < 40) {
                    honest(account, CommandType.DEBIT, null, (long) (median * uniform(rnd, 3, 9)),
                            measuredTime(rnd, 10, 20), "big-purchase");
                }
                if (rnd.nextInt(100) < 30) {
                    long at = measuredTime(rnd, 10, 19);
                    for (int i = 4 + rnd.nextInt(4); i > 0; i--) {
                        honest(account, CommandType.DEBIT, null, logNormal(rnd, median, 0.6), at, "shopping-spree");
                        at += 30 * SECOND + rnd.nextLong(90 * SECOND);
                    }
                }
                if (rnd.nextInt(100) < 25) {
                    honest(account, CommandType.TRANSFER, stranger(), uniformMinor(rnd, 800 * EUR, 1_990 * EUR),
                            measuredTime(rnd, 9, 19), "new-tradesman");
                }
                if (rnd.nextInt(100) < 5) {
                    honest(account, CommandType.TRANSFER, stranger(), uniformMinor(rnd, 3_000 * EUR, 15_000 * EUR),
                            measuredTime(rnd, 9, 19), "car-purchase");
                }
            }
        }
    }

    /** An account of the workload: a customer's (it pays), or a payee's (it only receives). */
    private static final class Account {
        final String id;
        final int index;
        final boolean pays;
        /** Everything it will pay out, cents: its opening deposit covers it. */
        long outflow;

        Account(String id, int index, boolean pays) {
            this.id = id;
            this.index = index;
            this.pays = pays;
        }
    }

    private record Draft(Account from, CommandType type, Account to, long amount, long at, Pattern pattern,
                         String behaviour, int incident, boolean history, int seq) {}

    private static String major(long minor) {
        return Money.toMajor(minor, java.util.Currency.getInstance(CURRENCY));
    }

    private static double uniform(SplittableRandom rnd, double from, double to) {
        return from + (to - from) * rnd.nextDouble();
    }

    private static long uniformMinor(SplittableRandom rnd, long from, long to) {
        return from + rnd.nextLong(to - from);
    }

    private static long logUniform(SplittableRandom rnd, long from, long to) {
        return Math.round(StrictMath.exp(uniform(rnd, StrictMath.log(from), StrictMath.log(to))));
    }

    /** A positive amount around {@code median}, log-normally spread with {@code sigma}. */
    private static long logNormal(SplittableRandom rnd, long median, double sigma) {
        return Math.max(1 * EUR, Math.round(median * StrictMath.exp(sigma * gaussian(rnd))));
    }

    /** Box-Muller, on StrictMath so that every JVM draws the same. */
    private static double gaussian(SplittableRandom rnd) {
        double u = 1.0 - rnd.nextDouble();
        return StrictMath.sqrt(-2 * StrictMath.log(u)) * StrictMath.cos(2 * StrictMath.PI * rnd.nextDouble());
    }

    private static int poisson(SplittableRandom rnd, double mean) {
        double limit = StrictMath.exp(-mean);
        double p = rnd.nextDouble();
        int k = 0;
        while (p > limit) {
            p *= rnd.nextDouble();
            k++;
        }
        return k;
    }
}
