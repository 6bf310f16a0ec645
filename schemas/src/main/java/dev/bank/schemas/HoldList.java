package dev.bank.schemas;

import java.util.List;

/**
 * An account's active holds, oldest first, as the processor's query API serves them.
 *
 * @param heldMinor what they reserve together (the account's {@code heldMinor})
 */
public record HoldList(String accountId, String currency, long heldMinor, List<Hold> holds) {
}
