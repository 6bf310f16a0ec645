package dev.bank.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Objects;

/**
 * A command on the commands topic, keyed by {@code accountId}. Schema: {@code schemas/command.schema.json}.
 *
 * <p>The amount travels as a decimal string in major units ({@code "12.34"}) because only the processor knows
 * the account's currency and therefore its scale; it turns it into minor units exactly or rejects it.
 *
 * @param transactionId the idempotency key: a repeat with the same id is answered with the first outcome
 * @param amount        major units; for OPEN_ACCOUNT the optional opening deposit
 * @param currency      ISO-4217; required to open an account, optional elsewhere (checked against the account)
 * @param toAccountId   the destination of a TRANSFER; null otherwise
 * @param reference     free text carried with a TRANSFER to both ledger entries (e.g. an invoice number)
 * @param interestRate  annual interest rate as an exact decimal string ({@code "0.025"} = 2.5% a year): optional
 *                      for OPEN_ACCOUNT (the configured default otherwise), required for SET_INTEREST_RATE
 * @param principal     who asks (the authenticated subject the gateway sends it for); null for a trusted system
 *                      producing directly, which may act on any account
 * @param admin         true when the principal acts as an admin (any account); null or false otherwise
 * @param owner         OPEN_ACCOUNT: whom the account will belong to when an admin opens it for someone else;
 *                      null: the principal
 * @param overdraftLimit SET_LIMITS: how far below zero the balance may go, major units ({@code "500.00"}); absent:
 *                      no overdraft
 * @param dailyOutflowLimit SET_LIMITS: the most that may leave the account per business day, major units; absent:
 *                      no daily limit
 * @param debitInterestRate SET_LIMITS: annual rate charged on a negative balance, an exact decimal string; absent:
 *                      none is charged
 * @param holdId        CAPTURE_HOLD and VOID_HOLD: the hold, i.e. the transactionId of its PLACE_HOLD
 * @param expiresAt     PLACE_HOLD: when the processor releases what is left of the hold, an ISO-8601 instant
 *                      ({@code "2026-12-01T12:00:00Z"}) as sent; absent: it never expires
 * @param fx            TRANSFER between two currencies: the quoted rate it converts at ({@link FxQuote}); absent: the
 *                      destination must hold the source's currency
 * @param reviewId      APPROVE_REVIEW and REJECT_REVIEW: the review, i.e. the transactionId of the payment it holds
 * @param fraudRules    SET_FRAUD_RULES: the account's own fraud thresholds ({@link FraudRules})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Command(CommandType type, String transactionId, String accountId, String amount, String currency,
                      String toAccountId, String reference, String interestRate, String principal, Boolean admin,
                      String owner, String overdraftLimit, String dailyOutflowLimit, String debitInterestRate,
                      String holdId, String expiresAt, FxQuote fx, String reviewId, FraudRules fraudRules) {

    /** A command about no fraud review or rules. */
    public Command(CommandType type, String transactionId, String accountId, String amount, String currency,
                   String toAccountId, String reference, String interestRate, String principal, Boolean admin,
                   String owner, String overdraftLimit, String dailyOutflowLimit, String debitInterestRate,
                   String holdId, String expiresAt, FxQuote fx) {
        this(type, transactionId, accountId, amount, currency, toAccountId, reference, interestRate, principal, admin,
                owner, overdraftLimit, dailyOutflowLimit, debitInterestRate, holdId, expiresAt, fx, null, null);
    }

    /** A command without a conversion. */
    public Command(CommandType type, String transactionId, String accountId, String amount, String currency,
                   String toAccountId, String reference, String interestRate, String principal, Boolean admin,
                   String owner, String overdraftLimit, String dailyOutflowLimit, String debitInterestRate,
                   String holdId, String expiresAt) {
        this(type, transactionId, accountId, amount, currency, toAccountId, reference, interestRate, principal, admin,
                owner, overdraftLimit, dailyOutflowLimit, debitInterestRate, holdId, expiresAt, null);
    }

    /** A command without a hold. */
    public Command(CommandType type, String transactionId, String accountId, String amount, String currency,
                   String toAccountId, String reference, String interestRate, String principal, Boolean admin,
                   String owner, String overdraftLimit, String dailyOutflowLimit, String debitInterestRate) {
        this(type, transactionId, accountId, amount, currency, toAccountId, reference, interestRate, principal, admin,
                owner, overdraftLimit, dailyOutflowLimit, debitInterestRate, null, null);
    }

    /** A command without limits. */
    public Command(CommandType type, String transactionId, String accountId, String amount, String currency,
                   String toAccountId, String reference, String interestRate, String principal, Boolean admin,
                   String owner) {
        this(type, transactionId, accountId, amount, currency, toAccountId, reference, interestRate, principal, admin,
                owner, null, null, null);
    }

    /** A command on no one's behalf in particular (a trusted system's). */
    public Command(CommandType type, String transactionId, String accountId, String amount, String currency,
                   String toAccountId, String reference, String interestRate) {
        this(type, transactionId, accountId, amount, currency, toAccountId, reference, interestRate, null, null, null);
    }

    /** A command without an interest rate. */
    public Command(CommandType type, String transactionId, String accountId, String amount, String currency,
                   String toAccountId, String reference) {
        this(type, transactionId, accountId, amount, currency, toAccountId, reference, null);
    }

    /** A command that is not a transfer. */
    public Command(CommandType type, String transactionId, String accountId, String amount, String currency) {
        this(type, transactionId, accountId, amount, currency, null, null);
    }

    public static Command open(String transactionId, String accountId, String currency, String openingDeposit) {
        return new Command(CommandType.OPEN_ACCOUNT, transactionId, accountId, openingDeposit, currency);
    }

    /** Opens an account with its own annual interest rate (null: the configured default). */
    public static Command open(String transactionId, String accountId, String currency, String openingDeposit,
                               String interestRate) {
        return new Command(CommandType.OPEN_ACCOUNT, transactionId, accountId, openingDeposit, currency, null, null,
                interestRate);
    }

    public static Command setInterestRate(String transactionId, String accountId, String interestRate) {
        return new Command(CommandType.SET_INTEREST_RATE, transactionId, accountId, null, null, null, null,
                interestRate);
    }

    public static Command credit(String transactionId, String accountId, String amount) {
        return new Command(CommandType.CREDIT, transactionId, accountId, amount, null);
    }

    public static Command debit(String transactionId, String accountId, String amount) {
        return new Command(CommandType.DEBIT, transactionId, accountId, amount, null);
    }

    /** A transfer from {@code fromAccountId} (the record key) to {@code toAccountId}; transactionId is its id. */
    public static Command transfer(String transferId, String fromAccountId, String toAccountId, String amount,
                                   String reference) {
        return new Command(CommandType.TRANSFER, transferId, fromAccountId, amount, null, toAccountId, reference);
    }

    /** A transfer between two currencies, converted at {@code fx}'s rate. */
    public static Command transfer(String transferId, String fromAccountId, String toAccountId, String amount,
                                   String reference, FxQuote fx) {
        return new Command(CommandType.TRANSFER, transferId, fromAccountId, amount, null, toAccountId, reference, null,
                null, null, null, null, null, null, null, null, fx);
    }

    /** The same TRANSFER, converted at {@code quote}'s rate. */
    public Command convertedAt(FxQuote quote) {
        return new Command(type, transactionId, accountId, amount, currency, toAccountId, reference, interestRate,
                principal, admin, owner, overdraftLimit, dailyOutflowLimit, debitInterestRate, holdId, expiresAt, quote,
                reviewId, fraudRules);
    }

    /** Sets an account's limits; a null limit or rate is none. */
    public static Command setLimits(String transactionId, String accountId, String overdraftLimit,
                                    String dailyOutflowLimit, String debitInterestRate) {
        return new Command(CommandType.SET_LIMITS, transactionId, accountId, null, null, null, null, null, null, null,
                null, overdraftLimit, dailyOutflowLimit, debitInterestRate);
    }

    /** Reserves {@code amount} on the account under hold id {@code holdId}, until {@code expiresAt} (null: never). */
    public static Command placeHold(String holdId, String accountId, String amount, String expiresAt,
                                    String reference) {
        return new Command(CommandType.PLACE_HOLD, holdId, accountId, amount, null, null, reference, null, null, null,
                null, null, null, null, null, expiresAt);
    }

    /** Captures {@code amount} (null: all that is left) of a hold, as transaction {@code transactionId}. */
    public static Command captureHold(String transactionId, String accountId, String holdId, String amount) {
        return new Command(CommandType.CAPTURE_HOLD, transactionId, accountId, amount, null, null, null, null, null,
                null, null, null, null, null, holdId, null);
    }

    /** Releases what is left of a hold, as transaction {@code transactionId}. */
    public static Command voidHold(String transactionId, String accountId, String holdId) {
        return new Command(CommandType.VOID_HOLD, transactionId, accountId, null, null, null, null, null, null, null,
                null, null, null, null, holdId, null);
    }

    /** An admin's approval ({@code approve}) or rejection of the fraud review {@code reviewId}. */
    public static Command decideReview(String transactionId, String accountId, String reviewId, boolean approve) {
        return new Command(approve ? CommandType.APPROVE_REVIEW : CommandType.REJECT_REVIEW, transactionId, accountId,
                null, null, null, null, null, null, null, null, null, null, null, null, null, null, reviewId, null);
    }

    /** Sets the account's own fraud thresholds. */
    public static Command setFraudRules(String transactionId, String accountId, FraudRules rules) {
        return new Command(CommandType.SET_FRAUD_RULES, transactionId, accountId, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, rules);
    }

    /** A command that names only its type, transaction and account (freeze, unfreeze, close). */
    public static Command of(CommandType type, String transactionId, String accountId) {
        return new Command(type, transactionId, accountId, null, null);
    }

    /** The same command, asked for by {@code who} (as an admin when {@code asAdmin}). */
    public Command by(String who, boolean asAdmin) {
        return new Command(type, transactionId, accountId, amount, currency, toAccountId, reference, interestRate, who,
                asAdmin ? Boolean.TRUE : null, owner, overdraftLimit, dailyOutflowLimit, debitInterestRate, holdId,
                expiresAt, fx, reviewId, fraudRules);
    }

    /** The same OPEN_ACCOUNT, for an account that will belong to {@code newOwner}. */
    public Command ownedBy(String newOwner) {
        return new Command(type, transactionId, accountId, amount, currency, toAccountId, reference, interestRate,
                principal, admin, newOwner, overdraftLimit, dailyOutflowLimit, debitInterestRate, holdId, expiresAt, fx,
                reviewId, fraudRules);
    }

    /** Whether this command acts with an admin's authority. */
    public boolean asAdmin() {
        return Boolean.TRUE.equals(admin);
    }

    /**
     * Whether a retry under the same transactionId asks for the same thing; {@code "10"} and {@code "10.00"}
     * are the same amount, a different amount, type or currency is an idempotency conflict.
     */
    public boolean sameRequestAs(Command other) {
        return type == other.type
                && Objects.equals(accountId, other.accountId)
                && Objects.equals(canonical(amount), canonical(other.amount))
                && Objects.equals(currency, other.currency)
                && Objects.equals(toAccountId, other.toAccountId)
                && Objects.equals(reference, other.reference)
                && Objects.equals(owner, other.owner)
                && Objects.equals(canonical(interestRate), canonical(other.interestRate))
                && Objects.equals(canonical(overdraftLimit), canonical(other.overdraftLimit))
                && Objects.equals(canonical(dailyOutflowLimit), canonical(other.dailyOutflowLimit))
                && Objects.equals(canonical(debitInterestRate), canonical(other.debitInterestRate))
                && Objects.equals(holdId, other.holdId)
                && Objects.equals(instant(expiresAt), instant(other.expiresAt))
                && sameQuote(fx, other.fx)
                && Objects.equals(reviewId, other.reviewId)
                && sameRules(fraudRules, other.fraudRules);
    }

    /** The same fraud thresholds ({@code "500"} and {@code "500.00"} alike). */
    private static boolean sameRules(FraudRules a, FraudRules b) {
        if (a == null || b == null) return a == b;
        return Objects.equals(a.enabled(), b.enabled()) && Objects.equals(a.velocityMaxCount(), b.velocityMaxCount())
                && Objects.equals(a.largeAmountFactor(), b.largeAmountFactor())
                && Objects.equals(canonical(a.dailyOutflowCap()), canonical(b.dailyOutflowCap()))
                && Objects.equals(canonical(a.newPayeeAmount()), canonical(b.newPayeeAmount()))
                && Objects.equals(canonical(a.structuringThreshold()), canonical(b.structuringThreshold()));
    }

    /** The same quote: its id, currencies and rate ({@code "1.10"} and {@code "1.1"} alike). */
    private static boolean sameQuote(FxQuote a, FxQuote b) {
        if (a == null || b == null) return a == b;
        return Objects.equals(a.quoteId(), b.quoteId()) && Objects.equals(a.from(), b.from())
                && Objects.equals(a.to(), b.to()) && Objects.equals(canonical(a.rate()), canonical(b.rate()));
    }

    /** The instant an ISO-8601 text names, so that {@code 12:00Z} and {@code 13:00+01:00} are the same expiry. */
    private static Object instant(String text) {
        if (text == null) return null;
        try {
            return java.time.OffsetDateTime.parse(text).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            return text;
        }
    }

    private static String canonical(String decimal) {
        return decimal == null ? null : Money.canonical(decimal);
    }
}
