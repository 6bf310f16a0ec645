package dev.bank.processor.topology;

import dev.bank.schemas.Account;
import dev.bank.schemas.AccountStatus;
import dev.bank.schemas.Command;
import dev.bank.schemas.CommandType;
import dev.bank.schemas.EntryType;
import dev.bank.schemas.LedgerEntry;
import dev.bank.schemas.Money;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.OutcomeStatus;
import dev.bank.schemas.RejectionReason;

import java.math.BigDecimal;
import java.util.Currency;

/**
 * Applying a command to an account, as a pure function of (account, command, record timestamp). No clock,
 * randomness or I/O: a task that aborts and reprocesses the same records reaches the same state and emits
 * byte-identical outcomes and ledger entries, which is what makes exactly-once reprocessing safe.
 */
public final class AccountLogic {
    private final BigDecimal maxAmountMajor;

    /** @param maxAmountMajor the largest amount one command may carry, in major units of any currency */
    public AccountLogic(BigDecimal maxAmountMajor) {
        this.maxAmountMajor = maxAmountMajor;
    }

    public Decision apply(Account current, Command command, long timestamp) {
        return switch (command.type()) {
            case OPEN_ACCOUNT -> open(current, command, timestamp);
            case CREDIT, DEBIT -> post(current, command, timestamp);
        };
    }

    private Decision open(Account current, Command command, long timestamp) {
        if (current != null) {
            // the existing account's balance is none of the duplicate opener's business
            return reject(null, command, timestamp, RejectionReason.DUPLICATE_ACCOUNT,
                    "account " + command.accountId() + " already exists", null);
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
        Account opened = new Account(command.accountId(), currency.getCurrencyCode(), AccountStatus.OPEN, 0, 0,
                timestamp);
        if (deposit == 0) {
            return new Decision(opened, accept(opened, command, 0, timestamp), null);
        }
        Account funded = opened.withPosting(deposit);
        LedgerEntry entry = new LedgerEntry(command.accountId(), command.transactionId(), EntryType.OPENING_DEPOSIT,
                deposit, funded.currency(), 0, deposit, funded.sequence(), timestamp);
        return new Decision(funded, accept(funded, command, deposit, timestamp), entry);
    }

    private Decision post(Account account, Command command, long timestamp) {
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
        Currency currency = Currency.getInstance(account.currency());
        long amount;
        try {
            amount = Money.toMinor(command.amount(), currency, maxAmountMajor);
        } catch (Money.InvalidAmountException e) {
            return reject(account, command, timestamp, RejectionReason.INVALID_AMOUNT, e.getMessage(), null);
        }
        EntryType entryType = command.type() == CommandType.DEBIT ? EntryType.DEBIT : EntryType.CREDIT;
        long newBalance;
        if (entryType == EntryType.DEBIT) {
            if (account.balanceMinor() < amount) {
                return reject(account, command, timestamp, RejectionReason.INSUFFICIENT_FUNDS,
                        "balance " + Money.toMajor(account.balanceMinor(), currency) + " " + account.currency()
                                + " is less than the debit of " + Money.toMajor(amount, currency), amount);
            }
            newBalance = account.balanceMinor() - amount;
        } else {
            try {
                newBalance = Math.addExact(account.balanceMinor(), amount);
            } catch (ArithmeticException e) {
                return reject(account, command, timestamp, RejectionReason.LIMIT_EXCEEDED,
                        "the balance would exceed the largest amount an account can hold", amount);
            }
        }
        Account after = account.withPosting(newBalance);
        LedgerEntry entry = new LedgerEntry(account.accountId(), command.transactionId(), entryType, amount,
                account.currency(), account.balanceMinor(), newBalance, after.sequence(), timestamp);
        return new Decision(after, accept(after, command, amount, timestamp), entry);
    }

    private static Outcome accept(Account after, Command command, long amount, long timestamp) {
        return new Outcome(command.transactionId(), command.accountId(), command.type(), OutcomeStatus.ACCEPTED,
                null, null, amount, after.balanceMinor(), after.currency(), after.sequence(), false, timestamp);
    }

    private static Decision reject(Account account, Command command, long timestamp, RejectionReason reason,
                                   String detail, Long amount) {
        Outcome outcome = new Outcome(command.transactionId(), command.accountId(), command.type(),
                OutcomeStatus.REJECTED, reason, detail, amount,
                account == null ? null : account.balanceMinor(),
                account == null ? null : account.currency(),
                account == null ? 0 : account.sequence(), false, timestamp);
        return new Decision(null, outcome, null);
    }

    /** The answer to a transactionId that was already used for a different request: nothing is applied. */
    public static Outcome conflict(Command command, Outcome original, long timestamp) {
        return new Outcome(command.transactionId(), command.accountId(), command.type(), OutcomeStatus.REJECTED,
                RejectionReason.IDEMPOTENCY_CONFLICT,
                "transactionId " + command.transactionId() + " was already used for a different "
                        + original.type() + " request", null, null, null, original.sequence(), false, timestamp);
    }
}
