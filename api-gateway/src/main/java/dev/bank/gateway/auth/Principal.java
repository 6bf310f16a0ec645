package dev.bank.gateway.auth;

import java.util.Set;

/**
 * Who a request acts for: the verified token's subject and the scopes it was granted. An admin has every scope's
 * rights on every account.
 */
public record Principal(String subject, Set<Scope> scopes) {
    public Principal {
        scopes = Set.copyOf(scopes);
    }

    public boolean admin() {
        return scopes.contains(Scope.ADMIN);
    }

    /** Whether the token grants {@code scope}; an admin's token grants every scope. */
    public boolean has(Scope scope) {
        return admin() || scopes.contains(scope);
    }
}
