package dev.bank.processor.query;

/**
 * A question about an account reached an instance that does not own it and may not pass it on (it was forwarded
 * already, or a gateway asked what it took for the owner): 421, so the asker asks the owner it knows of now.
 */
public final class MisdirectedException extends RuntimeException {
    public MisdirectedException(String message) {
        super(message);
    }
}
