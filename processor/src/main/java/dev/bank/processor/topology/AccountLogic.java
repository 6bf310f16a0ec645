package dev.bank.processor.topology;

import dev.bank.processor.config.InterestConfig;
import dev.bank.schemas.Account;
import dev.bank.schemas.AccountStatus;
import dev.bank.schemas.Command;
import dev.bank.schemas.CommandType;
import dev.bank.schemas.EntryType;
import dev.bank.schemas.FxConversion;
import dev.bank.schemas.FxPositions;
import dev.bank.schemas.Hold;
import dev.bank.schemas.HoldStatus;
import dev.bank.schemas.InterestRates;
import dev.bank.schemas.LedgerEntry;
import dev.bank.schemas.LegType;
import dev.bank.schemas.Money;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.OutcomeStatus;
import dev.bank.schemas.RejectionReason;
import dev.bank.schemas.Transfer;
import dev.bank.schemas.TransferLeg;
import dev.bank.schemas.TransferStatus;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Currency;

/**
 * Applying commands and transfer legs to an account, as pure functions of (account, input, record timestamp).
 * No clock, randomness or I/O: a task that aborts and reprocesses the same records reaches the same state and
 * emits byte-identical outcomes, ledger entries and legs, which is what makes exactly-once reprocessing safe.
 *
 * <p>A transfer is three steps on two tasks: {@link #apply} debits the source and emits a CREDIT leg;
 * {@link #applyCredit} credits the destination and answers COMPLETED, or answers REFUND when it cannot;
 * {@link #complete} or {@link #refund} finish it on the source, which publishes the transfer's one outcome.
 */
public final class AccountLogic {
    private final BigDecimal maxAmountMajor;
    private final InterestLogic interest;

    /** @param maxAmountMajor the largest amount one command may carry, in major units of any currency */
    public AccountLogic(BigDecimal maxAmountMajor) {
        this(maxAmountMajor, new InterestLogic(InterestConfig.defaults()));
    }

    /** @param interest the default rate and business zone an opened account starts with */
    public AccountLogic(BigDecimal maxAmountMajor, InterestLogic interest) {
        this.maxAmountMajor = maxAmountMajor;
        this.interest = interest;
    }

    public InterestLogic interest() {
        return interest;
    }

    /**
     * Applies a command to its account. The caller has already checked that the command's principal may act on the
     * account ({@link #mayAct}); what is decided carries the principal (outcome, ledger entry, transfer leg).
     */
    public Decision apply(Account current, Command command, long timestamp) {
        return apply(current, command, timestamp, null);
    }

    /**
     * As {@link #apply(Account, Command, long)}, for a command about a hold: {@code hold} is the account's hold the
     * command names (its holdId, or for PLACE_HOLD its transactionId), null when the account has none.
     */
    public Decision apply(Account current, Command command, long timestamp, Hold hold) {
        Decision decision = switch (command.type()) {
            case OPEN_ACCOUNT -> open(current, command, timestamp);
            case CREDIT, DEBIT -> post(current, command, timestamp);
            case TRANSFER -> transfer(current, command, timestamp);
            case SET_INTEREST_RATE -> setInterestRate(current, command, timestamp);
            case SET_LIMITS -> setLimits(current, command, timestamp);
            case FREEZE_ACCOUNT, UNFREEZE_ACCOUNT -> freeze(current, command, timestamp);
            case CLOSE_ACCOUNT -> close(current, command, timestamp);
            case PLACE_HOLD -> placeHold(current, command, timestamp, hold);
            case CAPTURE_HOLD -> captureHold(current, command, timestamp, hold);
            case VOID_HOLD -> voidHold(current, command, timestamp, hold);
            // the account's fraud settings and reviews live in the fraud stores: FraudDesk applies these
            case SET_FRAUD_RULES, APPROVE_REVIEW, REJECT_REVIEW -> throw new IllegalArgumentException(
                    command.type() + " is applied by the FraudDesk, not to the account alone");
        };
        return decision.by(command.principal());
    }

    /**
     * Whether a command may act on its account at all: a command with no principal comes from a trusted system and
     * may; an admin may; anyone may open an account (for themselves); anyone else only acts on an account they own.
     * A principal's command on an account that is not theirs, or that does not exist, is answered exactly alike
     * ({@link #notFound}), so account ids cannot be probed.
     */
    public static boolean mayAct(Account account, Command command) {
        if (command.principal() == null || command.asAdmin()) return true;
        if (command.type() == CommandType.OPEN_ACCOUNT) return command.owner() == null
                || command.owner().equals(command.principal());
        return account != null && account.reachableBy(command.principal(), false);
    }

    /** The answer to a command on an account its principal may not act on: the same as for a missing account. */
    public static Outcome notFound(Command command, long timestamp) {
        return reject(null, command, timestamp, RejectionReason.ACCOUNT_NOT_FOUND,
                "account " + command.accountId() + " does not exist", null).outcome().by(command.principal());
    }

    private Decision open(Account current, Command command, long timestamp) {
        if (current != null) {
            // the existing account's balance is none of the duplicate opener's business
            return reject(null, command, timestamp, RejectionReason.DUPLICATE_ACCOUNT,
                    "account " + command.accountId() + " already exists", null);
        }
        if (FxPositions.reserved(command.accountId())) {
            return reject(null, command, timestamp, RejectionReason.INVALID_COMMAND, "account ids starting with "
                    + FxPositions.RESERVED_PREFIX + " are the bank's own", null);
        }
        Currency currency;
        try {
            currency = Money.currency(command.currency());
        } catch (Money.InvalidAmountException e) {
            return reject(null, command, timestamp, RejectionReason.INVALID_COMMAND, e.getMessage(), null);
        }
        long deposit = 0;
        if (command.amount() != null) {
            try {
                deposit = Money.toMinor(command.amount(), currency, maxAmountMajor);
            } catch (Money.InvalidAmountException e) {
                return reject(null, command, timestamp, RejectionReason.INVALID_AMOUNT, e.getMessage(), null);
            }
        }
        String rate = interest.defaultRate();
        if (command.interestRate() != null) {
            // a rate is an admin's to set, at opening as later (a customer would otherwise pick their own)
            if (command.principal() != null && !command.asAdmin()) {
                return reject(null, command, timestamp, RejectionReason.INVALID_COMMAND,
                        "only an admin sets an account's interest rate", null);
            }
            try {
                rate = InterestRates.canonical(command.interestRate());
            } catch (Money.InvalidAmountException e) {
                return reject(null, command, timestamp, RejectionReason.INVALID_COMMAND, e.getMessage(), null);
            }
        }
        // interest starts with the opening day's end-of-day balance
        Account opened = new Account(command.accountId(), currency.getCurrencyCode(), AccountStatus.OPEN, 0, 0,
                timestamp, rate, "0", interest.accruedBeforeOpening(timestamp),
                command.owner() != null ? command.owner() : command.principal());
        if (deposit == 0) {
            return new Decision(opened, accept(opened, command, 0, timestamp), null);
        }
        Account funded = opened.withPosting(deposit);
        LedgerEntry entry = new LedgerEntry(command.accountId(), command.transactionId(), EntryType.OPENING_DEPOSIT,
                deposit, funded.currency(), 0, deposit, funded.sequence(), timestamp);
        return new Decision(funded, accept(funded, command, deposit, timestamp), entry);
    }

    /** The checks every money-moving command on an existing account shares; null when the command may go on. */
    private static Decision checkPostable(Account account, Command command, long timestamp) {
        if (account == null) {
            return reject(null, command, timestamp, RejectionReason.ACCOUNT_NOT_FOUND,
                    "account " + command.accountId() + " does not exist", null);
        }
        if (account.status() == AccountStatus.CLOSED) {
            return reject(account, command, timestamp, RejectionReason.ACCOUNT_CLOSED,
                    "account " + account.accountId() + " is closed", null);
        }
        if (command.currency() != null && !command.currency().equals(account.currency())) {
            return reject(account, command, timestamp, RejectionReason.CURRENCY_MISMATCH,
                    "account " + account.accountId() + " holds " + account.currency() + ", not " + command.currency(),
                    null);
        }
        return null;
    }

    private Decision post(Account account, Command command, long timestamp) {
        Decision refused = checkPostable(account, command, timestamp);
        if (refused != null) return refused;
        Minor minor = minorUnits(account, command, timestamp);
        if (minor.refused() != null) return minor.refused();
        long amount = minor.amount();
        EntryType entryType = command.type() == CommandType.DEBIT ? EntryType.DEBIT : EntryType.CREDIT;
        long newBalance;
        Account moved = account;
        if (entryType == EntryType.DEBIT) {
            Decision refusedOut = checkOutflow(account, command, amount, timestamp);
            if (refusedOut != null) return refusedOut;
            newBalance = account.balanceMinor() - amount; // at least -(overdraft limit + amount): no overflow
            moved = account.withOutflow(interest.businessDate(timestamp), amount);
        } else {
            try {
                newBalance = Math.addExact(account.balanceMinor(), amount);
            } catch (ArithmeticException e) {
                return reject(account, command, timestamp, RejectionReason.LIMIT_EXCEEDED,
                        "the balance would exceed the largest amount an account can hold", amount);
            }
        }
        Account after = moved.withPosting(newBalance);
        LedgerEntry entry = new LedgerEntry(account.accountId(), command.transactionId(), entryType, amount,
                account.currency(), account.balanceMinor(), newBalance, after.sequence(), timestamp);
        return new Decision(after, accept(after, command, amount, timestamp), entry);
    }

    /**
     * A new annual rate from now on. The caller accrues every ended business day first (at the old rate), so the
     * new rate applies from the business day the command's record timestamp falls on, that whole day included.
     */
    private Decision setInterestRate(Account account, Command command, long timestamp) {
        Decision refused = checkAdminSetting(account, command, timestamp, "changes an account's interest rate");
        if (refused != null) return refused;
        String rate;
        try {
            rate = InterestRates.canonical(command.interestRate());
        } catch (Money.InvalidAmountException e) {
            return reject(account, command, timestamp, RejectionReason.INVALID_COMMAND, e.getMessage(), null);
        }
        Account after = account.withInterestRate(rate);
        Outcome outcome = new Outcome(command.transactionId(), command.accountId(), command.type(),
                OutcomeStatus.ACCEPTED, null, null, 0L, after.balanceMinor(), after.currency(), after.sequence(),
                false, timestamp, null, null, rate);
        return new Decision(after, outcome, null);
    }

    private Decision transfer(Account source, Command command, long timestamp) {
        Decision refused = checkPostable(source, command, timestamp);
        if (refused != null) return refused;
        String to = command.toAccountId(); // present and valid: the command passed command.schema.json
        if (to.equals(source.accountId())) {
            return reject(source, command, timestamp, RejectionReason.INVALID_COMMAND,
                    "a transfer needs two different accounts", null);
        }
        if (FxPositions.reserved(to)) {
            return reject(source, command, timestamp, RejectionReason.INVALID_COMMAND, "account " + to
                    + " is the bank's own: it takes no transfers", null);
        }
        Minor minor = minorUnits(source, command, timestamp);
        if (minor.refused() != null) return minor.refused();
        long amount = minor.amount();
        FxConversion fx = null;
        if (command.fx() != null) {
            FxConverter.Result converted = FxConverter.convert(command.fx(), amount,
                    Currency.getInstance(source.currency()), timestamp);
            if (converted.conversion() == null) {
                return reject(source, command, timestamp, converted.reason(), converted.detail(), amount);
            }
            fx = converted.conversion();
        }
        Decision refusedOut = checkOutflow(source, command, amount, timestamp);
        if (refusedOut != null) return refusedOut;

        String transferId = command.transactionId();
        Account after = source.withOutflow(interest.businessDate(timestamp), amount).withTransfersOut(1)
                .withPosting(source.balanceMinor() - amount);
        LedgerEntry out = new LedgerEntry(source.accountId(), transferId, EntryType.TRANSFER_OUT, amount,
                source.currency(), source.balanceMinor(), after.balanceMinor(), after.sequence(), timestamp,
                transferId, to, command.reference(), null, fx);
        TransferLeg credit = new TransferLeg(LegType.CREDIT, transferId, source.accountId(), to, amount,
                source.currency(), command.reference(), null, null, command.principal(), fx);
        Transfer pending = new Transfer(transferId, Transfer.Direction.OUT, source.accountId(), to, amount,
                source.currency(), command.reference(), TransferStatus.PENDING, null, null, timestamp, null, fx);
        Outcome remembered = transferOutcome(after, pending, OutcomeStatus.PENDING, null, null, timestamp);
        return new Decision(after, remembered, out, credit, pending);
    }

    /** The destination's side of a transfer: credit it, or refuse and send the money back. */
    public Decision applyCredit(Account destination, TransferLeg credit, long timestamp) {
        FxConversion fx = credit.fx();
        // what reaches the destination: the converted amount when the transfer converts
        String credited = fx == null ? credit.currency() : fx.targetCurrency();
        long amount = fx == null ? credit.amountMinor() : fx.targetAmountMinor();
        RejectionReason reason = null;
        String detail = null;
        long newBalance = 0;
        if (destination == null) {
            reason = RejectionReason.ACCOUNT_NOT_FOUND;
            detail = "destination account " + credit.toAccountId() + " does not exist";
        } else if (destination.status() == AccountStatus.CLOSED) {
            reason = RejectionReason.ACCOUNT_CLOSED;
            detail = "destination account " + credit.toAccountId() + " is closed";
        } else if (FxPositions.reserved(destination.accountId())) {
            reason = RejectionReason.INVALID_COMMAND;
            detail = "account " + credit.toAccountId() + " is the bank's own: it takes no transfers";
        } else if (!destination.currency().equals(credited)) {
            reason = RejectionReason.CURRENCY_MISMATCH;
            detail = "destination account " + credit.toAccountId() + " holds " + destination.currency()
                    + ", not " + credited + (credit.fx() == null
                    ? ": a transfer between currencies names an FX quote (POST /fx/quotes)" : "");
        } else {
            try {
                newBalance = Math.addExact(destination.balanceMinor(), amount);
            } catch (ArithmeticException e) {
                reason = RejectionReason.LIMIT_EXCEEDED;
                detail = "destination account " + credit.toAccountId() + " cannot hold that much";
            }
        }
        Transfer incoming = new Transfer(credit.transferId(), Transfer.Direction.IN, credit.fromAccountId(),
                credit.toAccountId(), amount, credited, credit.reference(),
                reason == null ? TransferStatus.COMPLETED : TransferStatus.REFUNDED, reason, detail, timestamp,
                timestamp, fx);
        if (reason != null) {
            return new Decision(null, null, null, credit.answer(LegType.REFUND, reason, detail), incoming);
        }
        Account after = destination.withPosting(newBalance);
        LedgerEntry in = new LedgerEntry(destination.accountId(), credit.transferId(), EntryType.TRANSFER_IN,
                amount, destination.currency(), destination.balanceMinor(), newBalance, after.sequence(),
                timestamp, credit.transferId(), credit.fromAccountId(), credit.reference(), null, fx);
        Decision applied = new Decision(after, null, in, credit.answer(LegType.COMPLETED, null, null), incoming);
        // the conversion happened: the bank's positions take the other side of both amounts, in this transaction
        return fx == null ? applied : applied.withPositions(credit.positions());
    }

    /**
     * The bank's FX position account of one currency takes (the source amount) or gives (the target amount) its side
     * of a conversion the destination applied. It is opened by its first conversion; it has no limits and never
     * refuses, because the customer's money has already moved.
     */
    public Decision applyPosition(Account position, TransferLeg leg, long timestamp) {
        Account account = position != null ? position
                : new Account(FxPositions.accountId(leg.currency()), leg.currency(), AccountStatus.OPEN, 0, 0,
                        timestamp, "0", "0", interest.accruedBeforeOpening(timestamp), null);
        boolean bought = leg.bought();
        long newBalance = bought ? Math.addExact(account.balanceMinor(), leg.amountMinor())
                : Math.subtractExact(account.balanceMinor(), leg.amountMinor());
        Account after = account.withPosting(newBalance);
        String counterparty = bought ? leg.fromAccountId() : leg.toAccountId();
        LedgerEntry entry = new LedgerEntry(after.accountId(), leg.transferId(),
                bought ? EntryType.FX_BOUGHT : EntryType.FX_SOLD, leg.amountMinor(), after.currency(),
                account.balanceMinor(), newBalance, after.sequence(), timestamp, leg.transferId(), counterparty,
                leg.reference(), null, leg.fx());
        Transfer view = new Transfer(leg.transferId(), Transfer.Direction.POSITION, leg.fromAccountId(),
                leg.toAccountId(), leg.amountMinor(), leg.currency(), leg.reference(), TransferStatus.COMPLETED, null,
                null, timestamp, timestamp, leg.fx());
        return new Decision(after, null, entry, null, view);
    }

    /** The source learns the destination was credited: the transfer is complete and its outcome published. */
    public Decision complete(Account source, Transfer pending, long timestamp) {
        Transfer done = pending.finish(TransferStatus.COMPLETED, null, null, timestamp);
        Account after = source.withTransfersOut(-1);
        return new Decision(after, transferOutcome(after, done, OutcomeStatus.ACCEPTED, null, null, timestamp),
                null, null, done);
    }

    /** The destination refused the credit: the source gets its money back and the transfer is REFUNDED. */
    public Decision refund(Account source, Transfer pending, TransferLeg refund, long timestamp) {
        // The amount left this account earlier, so adding it back stays within what it held then.
        Account after = source.withTransfersOut(-1)
                .withPosting(Math.addExact(source.balanceMinor(), pending.amountMinor()));
        LedgerEntry back = new LedgerEntry(source.accountId(), pending.transferId(), EntryType.TRANSFER_REFUND,
                pending.amountMinor(), source.currency(), source.balanceMinor(), after.balanceMinor(), after.sequence(),
                timestamp, pending.transferId(), pending.toAccountId(), pending.reference(), null, pending.fx());
        Transfer refunded = pending.finish(TransferStatus.REFUNDED, refund.reason(), refund.detail(), timestamp);
        Outcome outcome = transferOutcome(after, refunded, OutcomeStatus.REJECTED, refund.reason(),
                refund.detail() + "; the amount was refunded", timestamp);
        return new Decision(after, outcome, back, null, refunded);
    }

    private static Outcome transferOutcome(Account source, Transfer transfer, OutcomeStatus status,
                                           RejectionReason reason, String detail, long timestamp) {
        return new Outcome(transfer.transferId(), source.accountId(), CommandType.TRANSFER, status, reason, detail,
                transfer.amountMinor(), source.balanceMinor(), source.currency(), source.sequence(), false, timestamp,
                transfer.toAccountId(), transfer.status()).converting(transfer.fx());
    }

    /**
     * The checks of everything that takes money out (a debit, a transfer out): the account is not frozen, the
     * amount is available (balance, less holds, plus overdraft limit), and it stays within the daily outflow limit.
     * Null when the command may go on.
     */
    private Decision checkOutflow(Account account, Command command, long amount, long timestamp) {
        Currency currency = Currency.getInstance(account.currency());
        String what = command.type() == CommandType.TRANSFER ? "transfer" : "debit";
        if (account.status() == AccountStatus.FROZEN) {
            return reject(account, command, timestamp, RejectionReason.ACCOUNT_FROZEN,
                    "account " + account.accountId() + " is frozen: nothing may leave it", amount);
        }
        if (account.availableMinor() < amount) {
            String available = account.heldMinor() == 0 && account.overdraftLimitMinor() == 0
                    ? "balance " + Money.toMajor(account.balanceMinor(), currency)
                    : "available " + Money.toMajor(account.availableMinor(), currency) + " (balance "
                            + Money.toMajor(account.balanceMinor(), currency) + ", held "
                            + Money.toMajor(account.heldMinor(), currency) + ", overdraft limit "
                            + Money.toMajor(account.overdraftLimitMinor(), currency) + ")";
            return reject(account, command, timestamp, RejectionReason.INSUFFICIENT_FUNDS,
                    available + " " + account.currency() + " is less than the " + what + " of "
                            + Money.toMajor(amount, currency), amount);
        }
        Long dailyLimit = account.dailyOutflowLimitMinor();
        if (dailyLimit != null) {
            long soFar = account.outflowOn(interest.businessDate(timestamp));
            if (amount > dailyLimit - soFar) {
                return reject(account, command, timestamp, RejectionReason.LIMIT_EXCEEDED,
                        "the " + what + " of " + Money.toMajor(amount, currency) + " " + account.currency()
                                + " would take today's outflow above the daily limit of "
                                + Money.toMajor(dailyLimit, currency) + " (" + Money.toMajor(soFar, currency)
                                + " already out)", amount);
            }
        }
        return null;
    }

    /**
     * The checks of an admin's setting: those of every command on an existing account ({@link #checkPostable}), and
     * that it comes from an admin or a trusted system (no principal); a customer's is refused, saying who
     * {@code does} it. Null when the command may go on.
     */
    private static Decision checkAdminSetting(Account account, Command command, long timestamp, String does) {
        Decision refused = checkPostable(account, command, timestamp);
        if (refused != null) return refused;
        if (command.principal() != null && !command.asAdmin()) {
            return reject(account, command, timestamp, RejectionReason.INVALID_COMMAND, "only an admin " + does, null);
        }
        return null;
    }

    /**
     * An admin sets the account's limits, each replacing the last: the overdraft limit (absent: none), the daily
     * outflow limit (absent: none) and the debit interest rate (absent: none). A lower overdraft limit than the
     * account already uses is allowed: nothing more may then leave it until it is back within the limit.
     */
    private Decision setLimits(Account account, Command command, long timestamp) {
        Decision refused = checkAdminSetting(account, command, timestamp, "sets an account's limits");
        if (refused != null) return refused;
        Currency currency = Currency.getInstance(account.currency());
        long overdraft;
        Long daily;
        String debitRate;
        try {
            overdraft = command.overdraftLimit() == null ? 0 : limit(command.overdraftLimit(), currency);
            daily = command.dailyOutflowLimit() == null ? null : limit(command.dailyOutflowLimit(), currency);
        } catch (Money.InvalidAmountException e) {
            return reject(account, command, timestamp, RejectionReason.INVALID_AMOUNT, e.getMessage(), null);
        }
        try {
            debitRate = command.debitInterestRate() == null ? null
                    : InterestRates.canonical(command.debitInterestRate());
        } catch (Money.InvalidAmountException e) {
            return reject(account, command, timestamp, RejectionReason.INVALID_COMMAND, e.getMessage(), null);
        }
        Account after = account.withLimits(overdraft, daily, debitRate);
        return new Decision(after, settled(after, command, timestamp), null);
    }

    /** The largest limit: an overdraft this deep still leaves room for any amount below it in a {@code long}. */
    static final long MAX_LIMIT_MINOR = 1L << 62;

    /** A limit in minor units: zero or more, no more fraction digits than the currency has, below {@link #MAX_LIMIT_MINOR}. */
    private static long limit(String text, Currency currency) {
        if (Money.parseDecimal(text).signum() == 0) return 0;
        long minor = Money.toMinor(text, currency, null);
        if (minor >= MAX_LIMIT_MINOR) {
            throw new Money.InvalidAmountException("limit " + text + " is above the largest an account can have");
        }
        return minor;
    }

    /** An admin freezes or unfreezes the account; freezing a frozen one (or unfreezing an open one) changes nothing. */
    private Decision freeze(Account account, Command command, long timestamp) {
        Decision refused = checkAdminSetting(account, command, timestamp, "freezes or unfreezes an account");
        if (refused != null) return refused;
        if (FxPositions.reserved(account.accountId())) return ownAccount(account, command, timestamp);
        AccountStatus status = command.type() == CommandType.FREEZE_ACCOUNT ? AccountStatus.FROZEN : AccountStatus.OPEN;
        Account after = account.withStatus(status, timestamp);
        return new Decision(after, settled(after, command, timestamp), null);
    }

    /**
     * The owner or an admin closes the account. Interest accrued since the last posting is settled first
     * ({@link InterestLogic#settle}); then the account must hold nothing: a zero balance, no active hold, no transfer
     * out in flight. A refused close still keeps the settlement (the interest is the customer's, or the bank's, either
     * way), so the detail says what to withdraw before closing again. A frozen account can be closed (it is empty).
     */
    private Decision close(Account account, Command command, long timestamp) {
        Decision refused = checkPostable(account, command, timestamp);
        if (refused != null) return refused;
        if (FxPositions.reserved(account.accountId())) return ownAccount(account, command, timestamp);
        Decision settlement = interest.settle(account, timestamp);
        Account settled = settlement.newState();
        Currency currency = Currency.getInstance(account.currency());
        String notEmpty = null;
        if (settled.balanceMinor() != 0) {
            notEmpty = "its balance is " + Money.toMajor(settled.balanceMinor(), currency) + " " + account.currency()
                    + (settlement.entry() == null ? "" : ", interest of "
                    + (settlement.entry().type() == EntryType.INTEREST ? "" : "-")
                    + Money.toMajor(settlement.entry().amountMinor(), currency) + " accrued since the last posting"
                    + " included")
                    + "; the balance must be zero";
        } else if (settled.heldMinor() != 0) {
            notEmpty = Money.toMajor(settled.heldMinor(), currency) + " " + account.currency()
                    + " is held; capture or void its holds first";
        } else if (settled.pendingTransfersOut() != 0) {
            notEmpty = settled.pendingTransfersOut() + " transfer(s) out are still in flight";
        }
        if (notEmpty != null) {
            Outcome outcome = reject(settled, command, timestamp, RejectionReason.ACCOUNT_NOT_EMPTY,
                    "account " + account.accountId() + " cannot be closed: " + notEmpty, null).outcome();
            return new Decision(settlement.entry() == null ? null : settled, outcome, settlement.entry());
        }
        Account closed = settled.withStatus(AccountStatus.CLOSED, timestamp);
        return new Decision(closed, settled(closed, command, timestamp), null);
    }

    /**
     * Reserves the amount: the available balance drops by it, the ledger balance does not. Checked like a debit
     * against the available balance (a frozen account places none); the daily outflow limit counts captures, not
     * holds. The hold's id is the command's transactionId.
     */
    private Decision placeHold(Account account, Command command, long timestamp, Hold existing) {
        Decision refused = checkPostable(account, command, timestamp);
        if (refused != null) return refused;
        if (existing != null) {
            return reject(account, command, timestamp, RejectionReason.IDEMPOTENCY_CONFLICT,
                    "account " + account.accountId() + " already has a hold " + command.transactionId(), null);
        }
        Currency currency = Currency.getInstance(account.currency());
        Minor minor = minorUnits(account, command, timestamp);
        if (minor.refused() != null) return minor.refused();
        long amount = minor.amount();
        Long expiresAt = null;
        if (command.expiresAt() != null) {
            try {
                expiresAt = java.time.OffsetDateTime.parse(command.expiresAt()).toInstant().toEpochMilli();
            } catch (java.time.format.DateTimeParseException | ArithmeticException e) {
                return reject(account, command, timestamp, RejectionReason.INVALID_COMMAND,
                        "expiresAt must be an ISO-8601 instant such as 2026-12-01T12:00:00Z", amount);
            }
            if (expiresAt <= timestamp) {
                return reject(account, command, timestamp, RejectionReason.INVALID_COMMAND,
                        "expiresAt " + command.expiresAt() + " has already passed", amount);
            }
        }
        if (account.status() == AccountStatus.FROZEN) {
            return reject(account, command, timestamp, RejectionReason.ACCOUNT_FROZEN,
                    "account " + account.accountId() + " is frozen: no new holds", amount);
        }
        if (account.activeHolds() >= Account.MAX_ACTIVE_HOLDS) {
            return reject(account, command, timestamp, RejectionReason.LIMIT_EXCEEDED, "account "
                    + account.accountId() + " already has " + Account.MAX_ACTIVE_HOLDS
                    + " active holds, the most one account may have: capture or void some first", amount);
        }
        if (account.availableMinor() < amount) {
            return reject(account, command, timestamp, RejectionReason.INSUFFICIENT_FUNDS,
                    "available " + Money.toMajor(account.availableMinor(), currency) + " " + account.currency()
                            + " is less than the hold of " + Money.toMajor(amount, currency), amount);
        }
        Hold hold = new Hold(command.transactionId(), account.accountId(), amount, 0, account.currency(),
                command.reference(), HoldStatus.ACTIVE, expiresAt, timestamp, null);
        Account held = account.withHeld(account.heldMinor() + amount, 1);
        Account after = expiresAt == null ? held : held.withHoldExpiring(expiresAt);
        Outcome outcome = new Outcome(command.transactionId(), account.accountId(), command.type(),
                OutcomeStatus.ACCEPTED, null, null, amount, after.balanceMinor(), after.currency(), after.sequence(),
                false, timestamp).about(hold, after.availableMinor());
        return new Decision(after, outcome, null, null, null, hold);
    }

    /** The checks capturing and voiding share: the hold exists and is still active. Null when it may go on. */
    private Decision checkHold(Account account, Command command, long timestamp, Hold hold) {
        Decision refused = checkPostable(account, command, timestamp);
        if (refused != null) return refused;
        if (hold == null) {
            return reject(account, command, timestamp, RejectionReason.HOLD_NOT_FOUND,
                    "account " + account.accountId() + " has no hold " + command.holdId(), null);
        }
        if (hold.status() != HoldStatus.ACTIVE) {
            Outcome o = reject(account, command, timestamp, RejectionReason.HOLD_NOT_ACTIVE,
                    "hold " + hold.holdId() + " is " + hold.status() + ": nothing is left on it", null).outcome();
            return new Decision(null, o.about(hold, account.availableMinor()), null);
        }
        return null;
    }

    /**
     * Takes all that is left of the hold, or part of it: a HOLD_CAPTURE posting, the hold's reservation shrinking by
     * as much, so the available balance does not move (the money was reserved). Captures count toward the daily
     * outflow limit, and a frozen account's holds may still be captured: they were granted before the freeze.
     */
    private Decision captureHold(Account account, Command command, long timestamp, Hold hold) {
        Decision refused = checkHold(account, command, timestamp, hold);
        if (refused != null) return refused;
        Currency currency = Currency.getInstance(account.currency());
        Minor minor = command.amount() == null ? new Minor(hold.remainingMinor(), null)
                : minorUnits(account, command, timestamp);
        if (minor.refused() != null) return minor.refused();
        long amount = minor.amount();
        if (amount > hold.remainingMinor()) {
            Outcome o = reject(account, command, timestamp, RejectionReason.HOLD_EXCEEDED, "the capture of "
                    + Money.toMajor(amount, currency) + " " + account.currency() + " is more than the "
                    + Money.toMajor(hold.remainingMinor(), currency) + " left on hold " + hold.holdId(), amount)
                    .outcome();
            return new Decision(null, o.about(hold, account.availableMinor()), null);
        }
        Long dailyLimit = account.dailyOutflowLimitMinor();
        LocalDate today = interest.businessDate(timestamp);
        if (dailyLimit != null && amount > dailyLimit - account.outflowOn(today)) {
            return reject(account, command, timestamp, RejectionReason.LIMIT_EXCEEDED, "the capture of "
                    + Money.toMajor(amount, currency) + " " + account.currency()
                    + " would take today's outflow above the daily limit of " + Money.toMajor(dailyLimit, currency)
                    + " (" + Money.toMajor(account.outflowOn(today), currency) + " already out)", amount);
        }
        Hold after = hold.captured(amount, timestamp);
        long newBalance = account.balanceMinor() - amount; // within what was reserved: no overflow
        Account posted = account.withHeld(account.heldMinor() - amount, after.status() == HoldStatus.ACTIVE ? 0 : -1)
                .withOutflow(today, amount)
                .withPosting(newBalance);
        LedgerEntry entry = new LedgerEntry(account.accountId(), command.transactionId(), EntryType.HOLD_CAPTURE,
                amount, account.currency(), account.balanceMinor(), newBalance, posted.sequence(), timestamp,
                null, null, hold.reference());
        Outcome outcome = accept(posted, command, amount, timestamp).about(after, posted.availableMinor());
        return new Decision(posted, outcome, entry, null, null, after);
    }

    /** Releases what is left of the hold; what was captured stays captured. */
    private Decision voidHold(Account account, Command command, long timestamp, Hold hold) {
        Decision refused = checkHold(account, command, timestamp, hold);
        if (refused != null) return refused;
        Hold after = hold.ended(HoldStatus.VOIDED, timestamp);
        Account released = account.withHeld(account.heldMinor() - hold.remainingMinor(), -1);
        Outcome outcome = new Outcome(command.transactionId(), account.accountId(), command.type(),
                OutcomeStatus.ACCEPTED, null, null, hold.remainingMinor(), released.balanceMinor(),
                released.currency(), released.sequence(), false, timestamp).about(after, released.availableMinor());
        return new Decision(released, outcome, null, null, null, after);
    }

    /**
     * The processor releases what is left of a hold whose expiry has come (by the record timestamp of whatever
     * brought it to the account: a command, a leg, an expiry tick), exactly once: the hold is then EXPIRED.
     */
    public Decision expire(Account account, Hold hold, long timestamp) {
        return release(account, hold, HoldStatus.EXPIRED, timestamp);
    }

    /** Ends an active hold as {@code end} (VOIDED or EXPIRED), releasing what is left of it; no outcome. */
    public Decision release(Account account, Hold hold, HoldStatus end, long timestamp) {
        Hold after = hold.ended(end, timestamp);
        return new Decision(account.withHeld(account.heldMinor() - hold.remainingMinor(), -1), null, null, null, null,
                after);
    }

    /** The bank's FX positions take every conversion: they are never frozen or closed. */
    private static Decision ownAccount(Account account, Command command, long timestamp) {
        return reject(account, command, timestamp, RejectionReason.INVALID_COMMAND, "account " + account.accountId()
                + " is the bank's own FX position: it is never frozen or closed", null);
    }

    /** A command's amount in its account's minor units, or the refusal that says why it is not one. */
    private record Minor(long amount, Decision refused) {}

    private Minor minorUnits(Account account, Command command, long timestamp) {
        try {
            return new Minor(Money.toMinor(command.amount(), Currency.getInstance(account.currency()), maxAmountMajor),
                    null);
        } catch (Money.InvalidAmountException e) {
            return new Minor(0, reject(account, command, timestamp, RejectionReason.INVALID_AMOUNT, e.getMessage(),
                    null));
        }
    }

    /** The outcome of an accepted command that moved no money (settings, lifecycle). */
    private static Outcome settled(Account after, Command command, long timestamp) {
        return new Outcome(command.transactionId(), command.accountId(), command.type(), OutcomeStatus.ACCEPTED,
                null, null, null, after.balanceMinor(), after.currency(), after.sequence(), false, timestamp);
    }

    private static Outcome accept(Account after, Command command, long amount, long timestamp) {
        return new Outcome(command.transactionId(), command.accountId(), command.type(), OutcomeStatus.ACCEPTED,
                null, null, amount, after.balanceMinor(), after.currency(), after.sequence(), false, timestamp);
    }

    static Decision reject(Account account, Command command, long timestamp, RejectionReason reason,
                                   String detail, Long amount) {
        Outcome outcome = new Outcome(command.transactionId(), command.accountId(), command.type(),
                OutcomeStatus.REJECTED, reason, detail, amount,
                account == null ? null : account.balanceMinor(),
                account == null ? null : account.currency(),
                account == null ? 0 : account.sequence(), false, timestamp, command.toAccountId(),
                command.type() == CommandType.TRANSFER ? TransferStatus.REJECTED : null);
        return new Decision(null, outcome, null);
    }

    /** The answer to a command that cannot be applied as sent (it breaks the command schema): nothing is applied. */
    public static Outcome invalid(Command command, String detail, long timestamp) {
        return new Outcome(command.transactionId(), command.accountId(), command.type(), OutcomeStatus.REJECTED,
                RejectionReason.INVALID_COMMAND, detail, null, null, null, 0, false, timestamp, null,
                command.type() == CommandType.TRANSFER ? TransferStatus.REJECTED : null);
    }

    /** The answer to a transactionId that was already used for a different request: nothing is applied. */
    public static Outcome conflict(Command command, Outcome original, long timestamp) {
        return new Outcome(command.transactionId(), command.accountId(), command.type(), OutcomeStatus.REJECTED,
                RejectionReason.IDEMPOTENCY_CONFLICT,
                "transactionId " + command.transactionId() + " was already used for a different "
                        + original.type() + " request", null, null, null, original.sequence(), false, timestamp);
    }
}
