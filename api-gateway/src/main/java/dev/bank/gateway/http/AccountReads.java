package dev.bank.gateway.http;

import dev.bank.gateway.kafka.ProcessorClient;
import dev.bank.observability.HttpErrors;
import dev.bank.observability.Urls;
import dev.bank.schemas.Documents;
import dev.bank.schemas.HistoryPage;
import dev.bank.schemas.Json;
import dev.bank.schemas.Months;
import dev.bank.schemas.Statement;
import io.javalin.http.Context;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The read routes over an account's history, served by the processors' history store through interactive
 * queries: the account with its interest state, its transactions page by page (newest first), and monthly
 * statements in JSON, CSV or PDF. Parameters are checked here so a client gets a 400 naming the field.
 */
final class AccountReads {
    private final ProcessorClient processors;

    AccountReads(ProcessorClient processors) {
        this.processors = processors;
    }

    /** {@code GET /accounts/{accountId}}: balance, interest rate, interest accrued and not yet paid. */
    void account(Context ctx) {
        String accountId = ctx.pathParam("accountId");
        BankApi.answer(ctx, processors.account(accountId, Access.viewer(ctx)),
                account -> write(ctx, 200, "application/json", Json.answer(Responses.account(account))),
                () -> notFound(ctx, accountId));
    }

    /** {@code GET /accounts/{accountId}/transactions?from=&to=&limit=&cursor=}. */
    void transactions(Context ctx) {
        String accountId = ctx.pathParam("accountId");
        Map<String, String> errors = new LinkedHashMap<>();
        Map<String, String> params = new LinkedHashMap<>();
        for (String name : new String[] {"from", "to"}) {
            String value = ctx.queryParam(name);
            if (value == null) continue;
            if (!isDateOrInstant(value)) errors.put(name, "must be an ISO date (2025-03-01) or instant (2025-03-01T09:00:00Z)");
            params.put(name, value);
        }
        String limit = ctx.queryParam("limit");
        if (limit != null) {
            if (!limit.matches("[0-9]{1,3}") || Integer.parseInt(limit) < 1 || Integer.parseInt(limit) > 500) {
                errors.put("limit", "must be a whole number from 1 to 500");
            }
            params.put("limit", limit);
        }
        String cursor = ctx.queryParam("cursor");
        if (cursor != null) {
            if (!isSequence(cursor)) errors.put("cursor", "must be a nextCursor this API returned");
            params.put("cursor", cursor);
        }
        if (!errors.isEmpty()) throw new InvalidRequestException(errors);
        BankApi.answer(ctx, processors.history(accountId, params, Access.viewer(ctx)), page -> page(ctx, accountId, params, page),
                () -> notFound(ctx, accountId));
    }

    private static void page(Context ctx, String accountId, Map<String, String> params, HistoryPage page) {
        Currency currency = Currency.getInstance(page.currency());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("accountId", page.accountId());
        body.put("currency", page.currency());
        body.put("transactions", page.entries().stream().map(h -> Statements.entry(h, currency)).toList());
        // memo lines, not postings (first page only)
        body.put("holds", page.holds().stream().map(Documents::hold).toList());
        if (page.nextCursor() != null) {
            body.put("nextCursor", page.nextCursor());
            Map<String, String> next = new LinkedHashMap<>(params);
            next.put("cursor", page.nextCursor());
            body.put("next", "/accounts/" + Urls.encode(accountId) + "/transactions" + Urls.query(next));
        }
        write(ctx, 200, "application/json", Json.answer(body));
    }

    /** {@code GET /accounts/{accountId}/statements/{yyyy-MM}}, as JSON, CSV or PDF ({@code format} or Accept). */
    void statement(Context ctx) {
        String accountId = ctx.pathParam("accountId");
        String month = ctx.pathParam("month");
        String type = Statements.negotiate(ctx.queryParam("format"), ctx.header("Accept"));
        if (Months.parse(month) == null) throw new InvalidRequestException(Map.of("month", Months.RULE));
        BankApi.answer(ctx, processors.statement(accountId, month, Access.viewer(ctx)),
                statement -> statement(ctx, accountId, month, type, statement), () -> notFound(ctx, accountId));
    }

    private static void statement(Context ctx, String accountId, String month, String type, Statement statement) {
        // both parts passed their rules (PathIds, Months); the filter keeps the header safe should a rule widen
        String file = ("statement-" + accountId + "-" + month).replaceAll("[^A-Za-z0-9._-]", "_");
        // a statement carries clients' text (references): a browser must take it as the type we say, never as HTML
        ctx.header("X-Content-Type-Options", "nosniff");
        switch (type) {
            case Statements.CSV -> {
                ctx.header("Content-Disposition", "inline; filename=\"" + file + ".csv\"");
                write(ctx, 200, Statements.CSV + "; charset=utf-8",
                        Statements.csv(statement).getBytes(StandardCharsets.UTF_8));
            }
            case Statements.PDF -> {
                ctx.header("Content-Disposition", "inline; filename=\"" + file + ".pdf\"");
                write(ctx, 200, Statements.PDF, Statements.pdf(statement));
            }
            default -> write(ctx, 200, "application/json", Json.answer(Statements.json(statement)));
        }
    }

    /** An ISO date or an instant within epoch milliseconds, as the processors read it. */
    private static boolean isDateOrInstant(String text) {
        try {
            if (text.length() == 10) LocalDate.parse(text);
            else Instant.parse(text).toEpochMilli();
            return true;
        } catch (DateTimeParseException | ArithmeticException e) {
            return false;
        }
    }

    /** A ledger sequence number: 1 to 19 digits that fit a {@code long}. */
    private static boolean isSequence(String text) {
        if (!text.matches("[0-9]{1,19}")) return false;
        try {
            Long.parseLong(text);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static void notFound(Context ctx, String accountId) {
        HttpErrors.write(ctx, NotFound.account(accountId));
    }

    private static void write(Context ctx, int status, String contentType, byte[] body) {
        ctx.status(status).contentType(contentType).result(body);
    }

}
