package dev.bank.schemas;

import java.util.regex.Pattern;

/**
 * The characters account and transaction ids may use (the schemas' patterns), checked on both sides. The patterns
 * are the rule; the checks walk the characters by hand because they run several times per command and the regex
 * engine showed in the stream thread's profile. {@code IdsTest} holds the two to the same answers.
 */
public final class Ids {
    public static final Pattern ACCOUNT_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    public static final Pattern TRANSACTION_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    public static final String ACCOUNT_ID_RULE = "must be 1-64 characters of A-Z, a-z, 0-9, '.', '_' or '-'";
    public static final String TRANSACTION_ID_RULE = "must be 1-128 characters of A-Z, a-z, 0-9, '.', '_', ':' or '-'";

    /** A webhook subscription's id: {@code wh_} and 1-64 letters, digits, '_' or '-' ({@code ^wh_[A-Za-z0-9_-]{1,64}$}). */
    public static final Pattern WEBHOOK_ID = Pattern.compile("wh_[A-Za-z0-9_-]{1,64}");
    public static final String WEBHOOK_ID_RULE = "must be wh_ and 1-64 characters of A-Z, a-z, 0-9, '_' or '-'";

    private Ids() {}

    public static boolean validWebhookId(String id) {
        if (id == null || !id.startsWith("wh_") || id.length() <= 3 || id.length() > 67) return false;
        for (int i = 3; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
                    || c == '-';
            if (!ok) return false;
        }
        return true;
    }

    public static boolean validAccountId(String id) {
        return valid(id, 64, false);
    }

    public static boolean validTransactionId(String id) {
        return valid(id, 128, true);
    }

    /** A principal (a token's subject): 1-255 printable ASCII characters without spaces, {@code ^[!-~]{1,255}$}. */
    public static final String PRINCIPAL_RULE = "must be 1-255 printable ASCII characters without spaces";

    public static boolean validPrincipal(String principal) {
        if (principal == null || principal.isEmpty() || principal.length() > 255) return false;
        for (int i = 0; i < principal.length(); i++) {
            char c = principal.charAt(i);
            if (c < '!' || c > '~') return false;
        }
        return true;
    }

    private static boolean valid(String id, int maxLength, boolean colon) {
        if (id == null || id.isEmpty() || id.length() > maxLength) return false;
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-' || (colon && c == ':');
            if (!ok) return false;
        }
        return true;
    }
}
