package dev.bank.schemas;

/**
 * The bank's own FX position accounts, one per currency ({@code bank.fx.EUR}): a transfer from EUR to USD leaves
 * 100.00 EUR with {@code bank.fx.EUR} (FX_BOUGHT) and takes 108.32 USD from {@code bank.fx.USD} (FX_SOLD), so the
 * sum of every account's balance in each currency moves only with money that enters or leaves the bank. A position
 * account is opened by its first conversion, belongs to no customer (admins read it), has no limits and earns no
 * interest. Ids starting with {@link #RESERVED_PREFIX} are the bank's: no one opens one and no transfer reaches one.
 */
public final class FxPositions {
    /** The prefix of the bank's own account ids. */
    public static final String RESERVED_PREFIX = "bank.";
    private static final String PREFIX = RESERVED_PREFIX + "fx.";

    private FxPositions() {}

    /** The position account of a currency: {@code bank.fx.USD}. */
    public static String accountId(String currency) {
        return PREFIX + currency;
    }

    /** Whether an account id is one of the bank's own (reserved: customers cannot open or pay into one). */
    public static boolean reserved(String accountId) {
        return accountId != null && accountId.startsWith(RESERVED_PREFIX);
    }
}
