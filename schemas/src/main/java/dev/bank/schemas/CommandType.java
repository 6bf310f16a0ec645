package dev.bank.schemas;

/** What a command asks for. */
public enum CommandType {
    OPEN_ACCOUNT, CREDIT, DEBIT,
    /** Moves money to {@code toAccountId}: debited here, credited (or refunded) through the transfer-legs topic. */
    TRANSFER,
    /** Changes the account's annual interest rate ({@code interestRate}); days already accrued keep their rate. */
    SET_INTEREST_RATE,
    /** Sets the account's overdraft limit, daily outflow limit and debit interest rate, each replacing the last (admin). */
    SET_LIMITS,
    /** Stops money leaving the account: debits, transfers out and new holds are refused until unfrozen (admin). */
    FREEZE_ACCOUNT,
    /** Lifts a freeze (admin). */
    UNFREEZE_ACCOUNT,
    /** Closes the account for good: only with a zero balance, no active hold and no transfer in flight. */
    CLOSE_ACCOUNT,
    /** Reserves {@code amount} (its transactionId is the hold's id), until {@code expiresAt} if given. */
    PLACE_HOLD,
    /** Takes {@code amount} (absent: all that is left) of hold {@code holdId}: a posting, HOLD_CAPTURE. */
    CAPTURE_HOLD,
    /** Releases what is left of hold {@code holdId}. */
    VOID_HOLD,
    /**
     * Sets the account's own fraud thresholds ({@code fraudRules}), replacing the ones set before; absent fields
     * take the bank's configured defaults (admin).
     */
    SET_FRAUD_RULES,
    /** Approves the fraud review {@code reviewId}: its hold is released and the payment applied (admin). */
    APPROVE_REVIEW,
    /** Rejects the fraud review {@code reviewId}: its hold is released and the payment refused (admin). */
    REJECT_REVIEW
}
