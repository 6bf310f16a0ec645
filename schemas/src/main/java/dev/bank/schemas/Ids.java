package dev.bank.schemas;

import java.util.regex.Pattern;

/** The characters account and transaction ids may use (the schemas' patterns), checked on both sides. */
public final class Ids {
    public static final Pattern ACCOUNT_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    public static final Pattern TRANSACTION_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    public static final String ACCOUNT_ID_RULE = "must be 1-64 characters of A-Z, a-z, 0-9, '.', '_' or '-'";
    public static final String TRANSACTION_ID_RULE = "must be 1-128 characters of A-Z, a-z, 0-9, '.', '_', ':' or '-'";

    private Ids() {}

    public static boolean validAccountId(String id) {
        return id != null && ACCOUNT_ID.matcher(id).matches();
    }

    public static boolean validTransactionId(String id) {
        return id != null && TRANSACTION_ID.matcher(id).matches();
    }
}
