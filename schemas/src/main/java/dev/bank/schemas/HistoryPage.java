package dev.bank.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * One page of an account's transaction history, newest first.
 *
 * @param nextCursor pass it as {@code cursor} to get the next (older) page; null on the last page
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HistoryPage(String accountId, String currency, List<HistoryEntry> entries, String nextCursor) {
    public HistoryPage {
        entries = List.copyOf(entries);
    }
}
