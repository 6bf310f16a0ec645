package dev.bank.processor.query;

/** The stores cannot answer right now (starting, rebalancing, or the owner is unreachable); retry shortly. */
public final class NotReadyException extends RuntimeException {
    public NotReadyException(String message) {
        super(message);
    }

    public NotReadyException(String message, Throwable cause) {
        super(message, cause);
    }
}
