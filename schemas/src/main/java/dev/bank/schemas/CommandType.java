package dev.bank.schemas;

/** What a command asks for. */
public enum CommandType {
    OPEN_ACCOUNT, CREDIT, DEBIT
}
