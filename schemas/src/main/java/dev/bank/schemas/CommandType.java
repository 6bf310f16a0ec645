package dev.bank.schemas;

/** What a command asks for. */
public enum CommandType {
    OPEN_ACCOUNT, CREDIT, DEBIT,
    /** Moves money to {@code toAccountId}: debited here, credited (or refunded) through the transfer-legs topic. */
    TRANSFER,
    /** Changes the account's annual interest rate ({@code interestRate}); days already accrued keep their rate. */
    SET_INTEREST_RATE
}
