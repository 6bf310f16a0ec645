package dev.bank.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * One page of an account's transaction history, newest first.
 *
 * @param nextCursor pass it as {@code cursor} to get the next (older) page; null on the last page
 * @param holds      memo lines, not postings, on the first page only: the newest holds (at most the page's size) that
 *                   were active at some time in the page's window, as they stand now
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HistoryPage(String accountId, String currency, List<HistoryEntry> entries, String nextCursor,
                          List<Hold> holds) {
    public HistoryPage {
        entries = List.copyOf(entries);
        holds = holds == null ? List.of() : List.copyOf(holds);
    }
}
