package dev.bank.schemas;

import java.time.Instant;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The public form of what leaves the bank for customers and their systems: money in major units of its currency
 * (exact decimals), times as ISO-8601 instants. The REST API's history pages and statements, the live event stream and
 * webhook payloads all render postings, holds and events through here, so a posting reads the same everywhere.
 */
public final class Documents {
    private Documents() {}

    /** One posting as the API shows it; {@code valueTimestamp} is shown when it differs from the entry's time. */
    public static Map<String, Object> posting(LedgerEntry e, long valueTimestamp) {
        Currency currency = Currency.getInstance(e.currency());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("sequence", e.sequence());
        body.put("transactionId", e.transactionId());
        body.put("type", e.type().name());
        body.put("amount", Money.major(e.type().sign() * e.amountMinor(), currency));
        body.put("balanceBefore", Money.major(e.balanceBeforeMinor(), currency));
        body.put("balanceAfter", Money.major(e.balanceAfterMinor(), currency));
        body.put("timestamp", Instant.ofEpochMilli(e.timestamp()).toString());
        if (valueTimestamp != e.timestamp()) {
            body.put("valueTimestamp", Instant.ofEpochMilli(valueTimestamp).toString());
        }
        if (e.transferId() != null) body.put("transferId", e.transferId());
        if (e.counterpartyAccountId() != null) body.put("counterpartyAccountId", e.counterpartyAccountId());
        if (e.principal() != null) body.put("principal", e.principal());
        if (e.reference() != null) body.put("reference", e.reference());
        if (e.fx() != null) body.put("fx", fx(e.fx()));
        return body;
    }

    /**
     * What a transfer between currencies converted, amounts in major units of their currencies:
     * {@code {"quoteId","rate","sourceAmount","sourceCurrency","targetAmount","targetCurrency"}}.
     */
    public static Map<String, Object> fx(FxConversion fx) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("quoteId", fx.quoteId());
        body.put("rate", fx.rate());
        body.put("sourceAmount", Money.major(fx.sourceAmountMinor(), Currency.getInstance(fx.sourceCurrency())));
        body.put("sourceCurrency", fx.sourceCurrency());
        body.put("targetAmount", Money.major(fx.targetAmountMinor(), Currency.getInstance(fx.targetCurrency())));
        body.put("targetCurrency", fx.targetCurrency());
        return body;
    }

    /** A hold as the account keeps it: {@code GET /accounts/{accountId}/holds/{holdId}}. */
    public static Map<String, Object> hold(Hold hold) {
        Currency currency = Currency.getInstance(hold.currency());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("holdId", hold.holdId());
        body.put("accountId", hold.accountId());
        body.put("amount", Money.major(hold.amountMinor(), currency));
        body.put("captured", Money.major(hold.capturedMinor(), currency));
        body.put("remaining", Money.major(hold.remainingMinor(), currency));
        body.put("currency", hold.currency());
        body.put("holdStatus", hold.status().name());
        if (hold.reference() != null) body.put("reference", hold.reference());
        if (hold.expiresAt() != null) body.put("expiresAt", Instant.ofEpochMilli(hold.expiresAt()).toString());
        body.put("createdAt", Instant.ofEpochMilli(hold.createdAt()).toString());
        if (hold.closedAt() != null) body.put("closedAt", Instant.ofEpochMilli(hold.closedAt()).toString());
        return body;
    }

    /**
     * An account event as subscribers receive it (the live stream's {@code data:}, a webhook's {@code data}):
     * <pre>{"eventId":"alice:7","accountId":"alice","sequence":7,"type":"posting.created",
     *  "timestamp":"2026-11-28T10:00:00Z","balance":800.00,"available":800.00,"held":0.00,"currency":"EUR",
     *  "posting":{...}}</pre>
     * {@code posting} for {@code posting.created}; {@code hold} (the hold as the change left it) with {@code amount}
     * (what the change reserved, captured or released) and {@code transactionId} (the command behind it) for the
     * {@code hold.*} types; {@code statement} ({@code month} and the {@code url} to fetch it from) for
     * {@code statement.ready}.
     */
    public static Map<String, Object> event(AccountEvent e) {
        Currency currency = Currency.getInstance(e.currency());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("eventId", e.eventId());
        body.put("accountId", e.accountId());
        body.put("sequence", e.sequence());
        body.put("type", e.type().wireName());
        body.put("timestamp", Instant.ofEpochMilli(e.timestamp()).toString());
        body.put("balance", Money.major(e.balanceMinor(), currency));
        body.put("available", Money.major(e.availableMinor(), currency));
        body.put("held", Money.major(e.heldMinor(), currency));
        body.put("currency", e.currency());
        if (e.posting() != null) body.put("posting", posting(e.posting(), e.posting().timestamp()));
        if (e.hold() != null) {
            HoldEvent h = e.hold();
            Map<String, Object> change = new LinkedHashMap<>();
            change.put("change", h.event().name());
            change.put("amount", Money.major(h.amountMinor(), currency));
            if (h.transactionId() != null) change.put("transactionId", h.transactionId());
            change.put("hold", hold(h.hold()));
            body.put("hold", change);
        }
        if (e.statementMonth() != null) {
            Map<String, Object> statement = new LinkedHashMap<>();
            statement.put("month", e.statementMonth());
            statement.put("url", "/accounts/" + e.accountId() + "/statements/" + e.statementMonth());
            body.put("statement", statement);
        }
        return body;
    }
}
