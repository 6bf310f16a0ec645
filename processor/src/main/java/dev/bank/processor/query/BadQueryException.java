package dev.bank.processor.query;

/** A query parameter that cannot be read (a malformed date, cursor or month); answered with 400. */
public final class BadQueryException extends IllegalArgumentException {
    public BadQueryException(String message) {
        super(message);
    }
}
