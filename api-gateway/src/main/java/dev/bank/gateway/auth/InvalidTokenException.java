package dev.bank.gateway.auth;

/**
 * A bearer token that cannot be accepted (RFC 6750 {@code invalid_token}): malformed, badly signed, expired, not yet
 * valid, for another issuer or audience, signed with an algorithm or key we do not accept. The message says which,
 * never the token itself.
 */
public final class InvalidTokenException extends RuntimeException {
    public InvalidTokenException(String message) {
        super(message);
    }
}
