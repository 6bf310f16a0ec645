package dev.bank.schemas;

public enum AccountStatus {
    OPEN, CLOSED
}
