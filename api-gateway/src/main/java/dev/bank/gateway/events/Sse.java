package dev.bank.gateway.events;

import dev.bank.observability.Urls;
import dev.bank.schemas.AccountEvent;
import dev.bank.schemas.Documents;
import dev.bank.schemas.Json;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The live stream's wire format (text/event-stream, the WHATWG HTML "server-sent events"): each event is {@code id:}
 * (the account's event sequence), {@code event:} (the type's wire name) and one {@code data:} line of JSON, the
 * public form of the event ({@link Documents#event}); comments keep an idle stream alive. Nothing a client sent ever
 * reaches a frame, and JSON written compactly has no line break, so a frame cannot be split or forged.
 */
public final class Sse {
    /** The media type of a stream. */
    public static final String CONTENT_TYPE = "text/event-stream;charset=utf-8";
    /** The event type of {@link #reset}. */
    public static final String RESET = "reset";

    private Sse() {}

    /** One account event. */
    public static byte[] event(AccountEvent event) {
        return frame(event.sequence(), event.type().wireName(), Json.answer(Documents.event(event)));
    }

    /**
     * What the stream says when the events after the client's last one are no longer kept: the lost sequences, where to
     * reload the state from, and that the stream goes on from {@code firstKept}. Its id is {@code firstKept - 1}, so a
     * client that reconnects right after it is not told again.
     */
    public static byte[] reset(String accountId, EventCursor.Reset reset) {
        String account = "/accounts/" + Urls.encode(accountId);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("accountId", accountId);
        body.put("lostFrom", reset.lostFrom());
        body.put("lostTo", reset.lostTo());
        body.put("firstKept", reset.firstKept());
        body.put("detail", "events " + reset.lostFrom() + " to " + reset.lostTo() + " are no longer kept: reload the "
                + "balance and the transactions, then carry on with this stream");
        body.put("balanceUrl", "/balance/" + Urls.encode(accountId));
        body.put("transactionsUrl", account + "/transactions");
        body.put("holdsUrl", account + "/holds");
        return frame(reset.firstKept() - 1, RESET, Json.answer(body));
    }

    /**
     * The first bytes of a stream: the reconnection delay to use, and, for a stream of new events only, the sequence it
     * starts after as the id (a block without data sets the client's last event id and dispatches nothing), so that a
     * client that loses the connection before any event still resumes without a gap.
     */
    public static byte[] opening(long retryMillis, Long startsAfter) {
        StringBuilder s = new StringBuilder("retry: ").append(retryMillis).append('\n');
        if (startsAfter != null) s.append("id: ").append(startsAfter).append('\n');
        return s.append('\n').toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A comment line (ignored by clients): a heartbeat, or why the stream ends. */
    public static byte[] comment(String text) {
        return (": " + text.replace('\n', ' ').replace('\r', ' ') + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] frame(long id, String type, byte[] json) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(json.length + 48);
        out.writeBytes(("id: " + id + "\nevent: " + type + "\ndata: ").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(json);
        out.writeBytes(new byte[] {'\n', '\n'});
        return out.toByteArray();
    }
}
