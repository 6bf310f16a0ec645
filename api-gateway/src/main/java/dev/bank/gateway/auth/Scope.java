package dev.bank.gateway.auth;

/** What a token allows, by OAuth2 scope (the token's {@code scope} claim, space-separated, or {@code scp}). */
public enum Scope {
    /** Read the principal's own accounts: balances, accounts, history, statements, outcomes, transfers. */
    READ("bank:read"),
    /** Open accounts for oneself and move money on one's own accounts. */
    WRITE("bank:write"),
    /** Any account, and the administrative actions: interest rates, opening accounts for others. */
    ADMIN("bank:admin");

    private final String value;

    Scope(String value) {
        this.value = value;
    }

    /** The scope as tokens carry it, e.g. {@code bank:read}. */
    public String value() {
        return value;
    }
}
