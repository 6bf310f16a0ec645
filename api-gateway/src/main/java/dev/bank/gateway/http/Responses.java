package dev.bank.gateway.http;

import dev.bank.observability.Urls;
import dev.bank.schemas.Account;
import dev.bank.schemas.AccountStatus;
import dev.bank.schemas.Command;
import dev.bank.schemas.CommandType;
import dev.bank.schemas.FraudFinding;
import dev.bank.schemas.FraudReview;
import dev.bank.schemas.FraudReviewList;
import dev.bank.schemas.Documents;
import dev.bank.schemas.HoldList;
import dev.bank.schemas.Money;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.Problem;
import dev.bank.schemas.RejectionReason;
import dev.bank.schemas.Transfer;

import java.time.Instant;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** How outcomes and accounts look over REST: amounts as JSON numbers in major units with the currency's scale ({@code 800.00}), exact. */
public final class Responses {
    private Responses() {}

    public static int status(RejectionReason reason) {
        return switch (reason) {
            case INVALID_AMOUNT, INVALID_COMMAND -> 400;
            case ACCOUNT_NOT_FOUND, HOLD_NOT_FOUND, REVIEW_NOT_FOUND -> 404;
            case IDEMPOTENCY_CONFLICT, DUPLICATE_ACCOUNT, ACCOUNT_NOT_EMPTY, HOLD_NOT_ACTIVE, REVIEW_NOT_PENDING -> 409;
            // FRAUD_SUSPECTED's detail is the processor's generic text: never the rule or threshold that refused it
            case INSUFFICIENT_FUNDS, CURRENCY_MISMATCH, ACCOUNT_CLOSED, ACCOUNT_FROZEN, LIMIT_EXCEEDED,
                 HOLD_EXCEEDED, FX_QUOTE_EXPIRED, FX_QUOTE_NOT_FOUND, FX_RATE_UNAVAILABLE, FRAUD_SUSPECTED -> 422;
        };
    }

    public static Problem rejection(Outcome outcome) {
        return refusal(outcome.reason(), outcome.detail())
                .withTransactionId(outcome.transactionId())
                .withTransferStatus(outcome.transferStatus() == null ? null : outcome.transferStatus().name());
    }

    /** The problem of a refusal for {@code reason}: its status, a title made of its name, and the reason. */
    public static Problem refusal(RejectionReason reason, String detail) {
        String title = reason.name().toLowerCase(Locale.ROOT).replace('_', ' ');
        title = title.startsWith("fx ") ? "FX" + title.substring(2)
                : Character.toUpperCase(title.charAt(0)) + title.substring(1);
        return Problem.of(status(reason), title, detail).withReason(reason.name());
    }

    /** A completed transfer: {@code {"status":"success","transferId",...,"transferStatus":"COMPLETED"}}. */
    public static Map<String, Object> transfer(Outcome outcome) {
        Currency currency = Currency.getInstance(outcome.currency());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "success");
        body.put("transferId", outcome.transactionId());
        body.put("fromAccountId", outcome.accountId());
        body.put("toAccountId", outcome.toAccountId());
        body.put("amount", Money.major(outcome.amountMinor(), currency));
        body.put("currency", outcome.currency());
        body.put("transferStatus", outcome.transferStatus().name());
        body.put("balance", Money.major(outcome.balanceMinor(), currency));
        if (outcome.fx() != null) body.put("fx", Documents.fx(outcome.fx()));
        return body;
    }

    /** A transfer as one of its accounts sees it (the polling answer of {@code POST /transfers}). */
    public static Map<String, Object> transferState(Transfer transfer) {
        Currency currency = Currency.getInstance(transfer.currency());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("transferId", transfer.transferId());
        body.put("direction", transfer.direction().name());
        body.put("fromAccountId", transfer.fromAccountId());
        body.put("toAccountId", transfer.toAccountId());
        body.put("amount", Money.major(transfer.amountMinor(), currency));
        body.put("currency", transfer.currency());
        if (transfer.reference() != null) body.put("reference", transfer.reference());
        body.put("transferStatus", transfer.status().name());
        if (transfer.reason() != null) body.put("reason", transfer.reason().name());
        if (transfer.detail() != null) body.put("detail", transfer.detail());
        body.put("createdAt", Instant.ofEpochMilli(transfer.createdAt()).toString());
        if (transfer.completedAt() != null) {
            body.put("completedAt", Instant.ofEpochMilli(transfer.completedAt()).toString());
        }
        if (transfer.fx() != null) body.put("fx", Documents.fx(transfer.fx()));
        return body;
    }

    /** The seed's response, {@code {"status":"success","transactionId","accountId","amount","type"}}, plus balance. */
    public static Map<String, Object> transaction(Outcome outcome) {
        Currency currency = Currency.getInstance(outcome.currency());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "success");
        body.put("transactionId", outcome.transactionId());
        body.put("accountId", outcome.accountId());
        body.put("amount", Money.major(outcome.amountMinor(), currency));
        body.put("type", outcome.type().name().toLowerCase(Locale.ROOT));
        body.put("balance", Money.major(outcome.balanceMinor(), currency));
        body.put("currency", outcome.currency());
        return body;
    }

    public static Map<String, Object> openedAccount(Outcome outcome) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "success");
        body.put("transactionId", outcome.transactionId());
        body.put("accountId", outcome.accountId());
        body.put("currency", outcome.currency());
        body.put("balance", Money.major(outcome.balanceMinor(), Currency.getInstance(outcome.currency())));
        body.put("openedAt", Instant.ofEpochMilli(outcome.timestamp()).toString());
        return body;
    }

    /** {@code {"status":"success","transactionId","accountId","interestRate"}}. */
    public static Map<String, Object> interestRateSet(Outcome outcome) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "success");
        body.put("transactionId", outcome.transactionId());
        body.put("accountId", outcome.accountId());
        body.put("interestRate", outcome.interestRate());
        return body;
    }

    /**
     * A setting or lifecycle change: {@code {"status":"success","transactionId","accountId","type","accountStatus"?,
     * "balance","currency"}}; the account's new limits are read with {@code GET /accounts/{accountId}}.
     */
    public static Map<String, Object> changed(Outcome outcome) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "success");
        body.put("transactionId", outcome.transactionId());
        body.put("accountId", outcome.accountId());
        body.put("type", outcome.type().name().toLowerCase(Locale.ROOT));
        switch (outcome.type()) {
            case FREEZE_ACCOUNT -> body.put("accountStatus", AccountStatus.FROZEN.name());
            case UNFREEZE_ACCOUNT -> body.put("accountStatus", AccountStatus.OPEN.name());
            case CLOSE_ACCOUNT -> body.put("accountStatus", AccountStatus.CLOSED.name());
            default -> { }
        }
        body.put("balance", Money.major(outcome.balanceMinor(), Currency.getInstance(outcome.currency())));
        body.put("currency", outcome.currency());
        return body;
    }

    /**
     * A hold placed, captured or voided: {@code {"status":"success","transactionId","accountId","holdId","type",
     * "amount","holdStatus","remaining","balance","available","currency"}}; {@code amount} is what was reserved,
     * captured or released.
     */
    public static Map<String, Object> holdChanged(Outcome outcome) {
        Currency currency = Currency.getInstance(outcome.currency());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "success");
        body.put("transactionId", outcome.transactionId());
        body.put("accountId", outcome.accountId());
        body.put("holdId", outcome.holdId());
        body.put("type", outcome.type().name().toLowerCase(Locale.ROOT));
        body.put("amount", Money.major(outcome.amountMinor(), currency));
        body.put("holdStatus", outcome.holdStatus().name());
        body.put("remaining", Money.major(outcome.holdRemainingMinor(), currency));
        body.put("balance", Money.major(outcome.balanceMinor(), currency));
        body.put("available", Money.major(outcome.availableMinor(), currency));
        body.put("currency", outcome.currency());
        return body;
    }

    /** The account's active holds: {@code GET /accounts/{accountId}/holds}. */
    public static Map<String, Object> holds(HoldList holds) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("accountId", holds.accountId());
        body.put("currency", holds.currency());
        body.put("held", Money.major(holds.heldMinor(), Currency.getInstance(holds.currency())));
        body.put("holds", holds.holds().stream().map(Documents::hold).toList());
        return body;
    }

    /** An account with its interest state: {@code GET /accounts/{accountId}}. */
    public static Map<String, Object> account(Account account) {
        Currency currency = Currency.getInstance(account.currency());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("accountId", account.accountId());
        body.put("currency", account.currency());
        body.put("status", account.status().name());
        body.put("balance", Money.major(account.balanceMinor(), currency));
        body.put("available", Money.major(account.availableMinor(), currency));
        body.put("held", Money.major(account.heldMinor(), currency));
        body.put("overdraftLimit", Money.major(account.overdraftLimitMinor(), currency));
        if (account.dailyOutflowLimitMinor() != null) {
            body.put("dailyOutflowLimit", Money.major(account.dailyOutflowLimitMinor(), currency));
        }
        if (account.outflowDate() != null) {
            Map<String, Object> outflow = new LinkedHashMap<>();
            outflow.put("date", account.outflowDate().toString());
            outflow.put("amount", Money.major(account.outflowMinor(), currency));
            body.put("outflow", outflow);
        }
        if (account.pendingTransfersOut() > 0) body.put("pendingTransfersOut", account.pendingTransfersOut());
        if (account.interestRate() != null) body.put("interestRate", account.interestRate());
        if (account.debitInterestRate() != null) body.put("debitInterestRate", account.debitInterestRate());
        if (account.accruedInterest() != null) {
            // minor units with sub-minor precision, shown in major units (exact: a decimal shift)
            body.put("accruedInterest", new java.math.BigDecimal(account.accruedInterest())
                    .movePointLeft(currency.getDefaultFractionDigits()));
        }
        if (account.lastAccruedDate() != null) body.put("interestAccruedThrough", account.lastAccruedDate().toString());
        body.put("openedAt", Instant.ofEpochMilli(account.openedAt()).toString());
        if (account.closedAt() != null) body.put("closedAt", Instant.ofEpochMilli(account.closedAt()).toString());
        if (account.owner() != null) body.put("owner", account.owner());
        return body;
    }

    /**
     * The seed's {@code {"accountId","balance"}} plus currency, what is available (balance, less holds, plus the
     * overdraft limit), what is held, and the account's status.
     */
    public static Map<String, Object> balance(Account account) {
        Currency currency = Currency.getInstance(account.currency());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("accountId", account.accountId());
        body.put("balance", Money.major(account.balanceMinor(), currency));
        body.put("currency", account.currency());
        body.put("available", Money.major(account.availableMinor(), currency));
        body.put("held", Money.major(account.heldMinor(), currency));
        body.put("accountStatus", account.status().name());
        return body;
    }

    public static Map<String, Object> success(Outcome outcome) {
        return success(outcome, null);
    }

    /**
     * An accepted command's answer; {@code asked} is the command when it is at hand (the answer to its own request),
     * for what the outcome does not repeat (the review an approval names); null when it is not (a polled outcome).
     */
    public static Map<String, Object> success(Outcome outcome, Command asked) {
        return switch (outcome.type()) {
            case OPEN_ACCOUNT -> openedAccount(outcome);
            case TRANSFER -> transfer(outcome);
            case CREDIT, DEBIT -> transaction(outcome);
            case SET_INTEREST_RATE -> interestRateSet(outcome);
            case SET_LIMITS, FREEZE_ACCOUNT, UNFREEZE_ACCOUNT, CLOSE_ACCOUNT, SET_FRAUD_RULES -> changed(outcome);
            case PLACE_HOLD, CAPTURE_HOLD, VOID_HOLD -> holdChanged(outcome);
            case APPROVE_REVIEW, REJECT_REVIEW -> reviewDecided(outcome, asked == null ? null : asked.reviewId());
        };
    }

    /**
     * A payment the fraud rules held for review (the 202 of {@code POST /transaction} or {@code /transfers}, and of
     * its status URL until the bank decides): {@code {"status":"IN_REVIEW","transactionId","accountId","statusUrl",
     * "type","amount","currency","holdId","balance","available","detail"}}. Not a refusal: the amount is reserved under
     * a hold with the payment's id, and the status URL answers the final outcome once an admin approved or rejected it
     * (or its time ran out). What triggered the review is not said.
     */
    public static Map<String, Object> underReview(Outcome outcome, String statusUrl) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "IN_REVIEW");
        body.put("transactionId", outcome.transactionId());
        body.put("accountId", outcome.accountId());
        body.put("statusUrl", statusUrl);
        body.put("type", outcome.type().name().toLowerCase(Locale.ROOT));
        if (outcome.currency() != null) {
            Currency currency = Currency.getInstance(outcome.currency());
            if (outcome.amountMinor() != null) body.put("amount", Money.major(outcome.amountMinor(), currency));
            body.put("currency", outcome.currency());
            if (outcome.toAccountId() != null) body.put("toAccountId", outcome.toAccountId());
            if (outcome.holdId() != null) body.put("holdId", outcome.holdId());
            if (outcome.balanceMinor() != null) body.put("balance", Money.major(outcome.balanceMinor(), currency));
            if (outcome.availableMinor() != null) {
                body.put("available", Money.major(outcome.availableMinor(), currency));
            }
        }
        if (outcome.detail() != null) body.put("detail", outcome.detail());
        return body;
    }

    /**
     * An admin's approval or rejection of a review: {@code {"status":"success","transactionId","accountId","type",
     * "reviewStatus","amount","balance","currency"}}, and, when the review's id is known, {@code reviewId} with the
     * URLs of the review and of the payment's outcome. {@code balance} is the account's after the decision: an approved
     * payment has been applied (a transfer is then on its way to the destination).
     */
    public static Map<String, Object> reviewDecided(Outcome outcome, String reviewId) {
        Currency currency = Currency.getInstance(outcome.currency());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "success");
        body.put("transactionId", outcome.transactionId());
        body.put("accountId", outcome.accountId());
        body.put("type", outcome.type().name().toLowerCase(Locale.ROOT));
        if (reviewId != null) body.put("reviewId", reviewId);
        body.put("reviewStatus", outcome.type() == CommandType.APPROVE_REVIEW ? "APPROVED" : "REJECTED");
        if (outcome.amountMinor() != null) body.put("amount", Money.major(outcome.amountMinor(), currency));
        body.put("balance", Money.major(outcome.balanceMinor(), currency));
        body.put("currency", outcome.currency());
        if (reviewId != null) {
            body.put("reviewUrl", reviewUrl(outcome.accountId(), reviewId));
            body.put("paymentUrl", transactionUrl(outcome.accountId(), reviewId));
        }
        return body;
    }

    /**
     * A fraud review as admins read it ({@code GET /accounts/{accountId}/reviews/{reviewId}}): where it stands, what
     * the rules found (each rule's score, reason and evidence: the figures it counted and the threshold it compared
     * with) and the payment it holds, amounts in major units.
     */
    public static Map<String, Object> review(FraudReview review) {
        Currency currency = Currency.getInstance(review.currency());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("reviewId", review.transactionId());
        body.put("accountId", review.accountId());
        body.put("reviewStatus", review.status().name());
        if (review.resolution() != null) body.put("resolution", review.resolution().name());
        body.put("score", review.score());
        body.put("findings", review.findings() == null ? java.util.List.of()
                : review.findings().stream().map(Responses::finding).toList());
        body.put("amount", Money.major(review.amountMinor(), currency));
        body.put("currency", review.currency());
        body.put("payment", payment(review.command(), review, currency));
        body.put("holdId", review.transactionId());
        body.put("createdAt", Instant.ofEpochMilli(review.createdAt()).toString());
        body.put("deadline", Instant.ofEpochMilli(review.deadline()).toString());
        if (review.decidedAt() != null) body.put("decidedAt", Instant.ofEpochMilli(review.decidedAt()).toString());
        if (review.decidedBy() != null) body.put("decidedBy", review.decidedBy());
        body.put("reviewUrl", reviewUrl(review.accountId(), review.transactionId()));
        body.put("paymentUrl", transactionUrl(review.accountId(), review.transactionId()));
        return body;
    }

    /** Reviews in bulk (the queue, or one account's): {@code {"reviews":[...],"more"}}, oldest first. */
    public static Map<String, Object> reviews(FraudReviewList list) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("reviews", list.reviews().stream().map(Responses::review).toList());
        body.put("more", list.more());
        return body;
    }

    private static Map<String, Object> finding(FraudFinding finding) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("rule", finding.rule().name());
        body.put("score", finding.score());
        if (finding.reason() != null) body.put("reason", finding.reason());
        body.put("evidence", finding.evidence() == null ? Map.of() : finding.evidence());
        return body;
    }

    /** The payment a review holds, as it was sent (an approval applies exactly this). */
    private static Map<String, Object> payment(Command command, FraudReview review, Currency currency) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("transactionId", review.transactionId());
        body.put("type", (command == null ? "unknown" : command.type().name().toLowerCase(Locale.ROOT)));
        body.put("amount", Money.major(review.amountMinor(), currency));
        body.put("currency", review.currency());
        if (command != null) {
            if (command.toAccountId() != null) body.put("toAccountId", command.toAccountId());
            if (command.reference() != null) body.put("reference", command.reference());
            if (command.fx() != null) body.put("quoteId", command.fx().quoteId());
            if (command.principal() != null) body.put("principal", command.principal());
        }
        return body;
    }

    static String transactionUrl(String accountId, String transactionId) {
        return "/accounts/" + Urls.encode(accountId) + "/transactions/" + Urls.encode(transactionId);
    }

    static String reviewUrl(String accountId, String reviewId) {
        return "/accounts/" + Urls.encode(accountId) + "/reviews/" + Urls.encode(reviewId);
    }

    /** The 202 body: the command is on the log but its outcome did not arrive in time. */
    public static Map<String, Object> pending(String accountId, String transactionId, String statusUrl) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "pending");
        body.put("transactionId", transactionId);
        body.put("accountId", accountId);
        body.put("statusUrl", statusUrl);
        return body;
    }
}
