package dev.bank.schemas;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import java.nio.charset.StandardCharsets;

/**
 * Kafka record headers that are part of the wire contract.
 *
 * <p>{@link #REQUEST_ID}: the gateway stamps every command it publishes with a fresh id of the HTTP request that
 * sent it, and the processor copies that header onto the command's outcome (and onto a transfer's legs, so the
 * transfer's final outcome carries it too). The gateway hands each outcome to the one request whose id it carries.
 * Matching by (accountId, transactionId) instead would cross answers between concurrent requests under one
 * transactionId (an identical retry and a conflicting one in flight at once). Upstream producers need not set it;
 * the outcome of a command without it carries none.
 */
public final class WireHeaders {
    public static final String REQUEST_ID = "bank.request.id";
    /** Longer request ids are not copied: a header of a hostile record must not grow the records it causes. */
    public static final int MAX_REQUEST_ID_BYTES = 128;

    private WireHeaders() {}

    /** The request id a record carries, or null when it has none (or one too long to be ours). */
    public static String requestId(Headers headers) {
        Header header = headers.lastHeader(REQUEST_ID);
        if (header == null || header.value() == null || header.value().length > MAX_REQUEST_ID_BYTES) return null;
        return new String(header.value(), StandardCharsets.UTF_8);
    }
}
