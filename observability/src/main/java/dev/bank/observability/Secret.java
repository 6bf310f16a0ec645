package dev.bank.observability;

/** A secret value (a token, a password) that never shows in a log line or a {@code toString()} of what holds it. */
public record Secret(String value) {
    public Secret {
        if (value == null || value.isEmpty()) throw new IllegalArgumentException("a secret cannot be empty");
    }

    @Override
    public String toString() {
        return "Secret[****]";
    }
}
