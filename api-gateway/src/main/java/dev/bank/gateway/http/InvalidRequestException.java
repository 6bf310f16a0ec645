package dev.bank.gateway.http;

import java.util.Map;

/** Input that cannot become a command; answered 400 with one message per offending field. */
public final class InvalidRequestException extends RuntimeException {
    private final Map<String, String> errors;

    public InvalidRequestException(Map<String, String> errors) {
        super("invalid request: " + errors);
        this.errors = Map.copyOf(errors);
    }

    public Map<String, String> errors() {
        return errors;
    }
}
