package dev.bank.schemas;

public enum OutcomeStatus {
    ACCEPTED, REJECTED
}
