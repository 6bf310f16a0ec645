package dev.bank.schemas;

/**
 * Where a transfer stands. Every transfer that was debited ends COMPLETED or REFUNDED; PENDING means its legs
 * are in flight; REJECTED means it was refused before any money moved (e.g. insufficient funds).
 */
public enum TransferStatus {
    PENDING, COMPLETED, REFUNDED, REJECTED
}
