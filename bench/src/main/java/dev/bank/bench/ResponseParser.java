package dev.bank.bench;

import java.io.EOFException;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * An incremental HTTP/1.1 response parser (RFC 9112) for the bench's client: it is fed whatever each read returned,
 * however a response is split, and hands the response back once its last byte is in. It does no I/O and holds no
 * thread: one instance per connection, used by one thread at a time, {@link #reset} between responses.
 *
 * <p>Bodies are framed as RFC 9112 §6.3 says: none for 1xx (an interim response is skipped), 204 and 304; chunked
 * when Transfer-Encoding ends in chunked; else by Content-Length; else until the server closes the connection
 * ({@link #endOfStream}). Parsing stops at the last byte of the response, so anything after it stays in the
 * buffer for the caller to judge. Anything malformed, or larger than the limits below, is a
 * {@link ProtocolException}.
 */
final class ResponseParser {
    static final int MAX_LINE = 16 * 1024;
    static final int MAX_HEADERS = 256;
    static final int MAX_BODY = 64 * 1024 * 1024;

    private enum State {
        STATUS_LINE, HEADER_LINE, BODY, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILER_LINE, UNTIL_CLOSE, DONE
    }

    private State state = State.STATUS_LINE;
    private boolean started;
    private byte[] line = new byte[256];
    private int lineLength;
    private int status;
    private boolean http10;
    /** Reused: {@link Response} takes a copy. */
    private final Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    private int headerCount;
    private byte[] body = new byte[512];
    private int bodyLength;
    /** Bytes still to come of a Content-Length body or of the current chunk. */
    private long remaining;
    private boolean keepAlive;

    /** Ready for the next response on the same connection. */
    void reset() {
        state = State.STATUS_LINE;
        started = false;
        newMessage();
    }

    /** Whether any byte of the current response has arrived. */
    boolean started() {
        return started;
    }

    /** After a response: whether the connection may carry the next request (HTTP/1.1 without Connection: close). */
    boolean keepAlive() {
        return keepAlive;
    }

    /**
     * Consumes bytes from {@code in} up to the end of the response at most; the response once it is complete, or
     * null when more bytes are needed.
     */
    Response parse(ByteBuffer in) throws ProtocolException {
        if (state == State.DONE) throw new IllegalStateException("response already complete; reset first");
        if (in.hasRemaining()) started = true;
        while (in.hasRemaining()) {
            switch (state) {
                case STATUS_LINE, HEADER_LINE, CHUNK_SIZE, CHUNK_END, TRAILER_LINE -> {
                    if (!readLine(in)) return null;
                    onLine();
                    lineLength = 0;
                }
                case BODY, CHUNK_DATA -> {
                    int n = (int) Math.min(remaining, in.remaining());
                    append(in, n);
                    remaining -= n;
                    if (remaining == 0) state = state == State.BODY ? State.DONE : State.CHUNK_END;
                }
                case UNTIL_CLOSE -> append(in, in.remaining());
                default -> throw new IllegalStateException(state.name());
            }
            if (state == State.DONE) return response();
        }
        return null;
    }

    /**
     * The server closed the connection: the response, when its body was delimited by that close; otherwise an
     * {@link EOFException} (check {@link #started()} for whether any of it had arrived).
     */
    Response endOfStream() throws EOFException {
        if (state == State.UNTIL_CLOSE) {
            state = State.DONE;
            return response();
        }
        throw new EOFException(started ? "connection closed in the middle of a response"
                : "connection closed before any response");
    }

    private void newMessage() {
        lineLength = 0;
        status = 0;
        http10 = false;
        headers.clear();
        headerCount = 0;
        bodyLength = 0;
        remaining = 0;
        keepAlive = false;
    }

    /** Collects bytes up to a LF; true when the line is complete (without its CR LF, a bare LF is accepted too). */
    private boolean readLine(ByteBuffer in) throws ProtocolException {
        while (in.hasRemaining()) {
            byte b = in.get();
            if (b == '\n') {
                if (lineLength > 0 && line[lineLength - 1] == '\r') lineLength--;
                return true;
            }
            if (lineLength == line.length) {
                if (lineLength >= MAX_LINE) throw new ProtocolException("line longer than " + MAX_LINE + " bytes");
                line = Arrays.copyOf(line, Math.min(MAX_LINE, line.length * 2));
            }
            line[lineLength++] = b;
        }
        return false;
    }

    private void onLine() throws ProtocolException {
        switch (state) {
            case STATUS_LINE -> statusLine(text());
            case HEADER_LINE -> {
                if (lineLength == 0) endOfHeaders();
                else headerLine(text());
            }
            case CHUNK_SIZE -> chunkSize(text());
            case CHUNK_END -> {
                if (lineLength != 0) throw new ProtocolException("chunk data longer than its size");
                state = State.CHUNK_SIZE;
            }
            case TRAILER_LINE -> {
                if (lineLength == 0) state = State.DONE; // trailer fields themselves are of no use here
            }
            default -> throw new IllegalStateException(state.name());
        }
    }

    private String text() {
        return new String(line, 0, lineLength, StandardCharsets.ISO_8859_1);
    }

    /** {@code HTTP/1.1 200 OK}; the reason phrase may be empty or missing. */
    private void statusLine(String s) throws ProtocolException {
        if (s.length() < 12 || !s.startsWith("HTTP/1.") || (s.charAt(7) != '0' && s.charAt(7) != '1')
                || s.charAt(8) != ' ' || (s.length() > 12 && s.charAt(12) != ' ')) {
            throw new ProtocolException("bad status line: " + abbreviate(s));
        }
        int code = 0;
        for (int i = 9; i < 12; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') throw new ProtocolException("bad status code: " + abbreviate(s));
            code = code * 10 + (c - '0');
        }
        if (code < 100) throw new ProtocolException("bad status code: " + abbreviate(s));
        status = code;
        http10 = s.charAt(7) == '0';
        state = State.HEADER_LINE;
    }

    private void headerLine(String s) throws ProtocolException {
        char first = s.charAt(0);
        if (first == ' ' || first == '\t') throw new ProtocolException("obsolete folded header line"); // §5.2
        int colon = s.indexOf(':');
        if (colon <= 0) throw new ProtocolException("bad header line: " + abbreviate(s));
        char last = s.charAt(colon - 1);
        if (last == ' ' || last == '\t') throw new ProtocolException("space before a header's colon"); // §5.1
        if (++headerCount > MAX_HEADERS) throw new ProtocolException("more than " + MAX_HEADERS + " headers");
        String value = s.substring(colon + 1).trim();
        headers.merge(s.substring(0, colon), value, (a, b) -> a + ", " + b);
    }

    private void endOfHeaders() throws ProtocolException {
        if (status < 200) {
            if (status == 101) throw new ProtocolException("unexpected 101 Switching Protocols");
            newMessage(); // an interim response (100 Continue, 103 Early Hints): the real one follows
            state = State.STATUS_LINE;
            return;
        }
        String connection = headers.getOrDefault("Connection", "").toLowerCase(Locale.ROOT);
        keepAlive = http10 ? hasToken(connection, "keep-alive") : !hasToken(connection, "close");
        if (status == 204 || status == 304) {
            state = State.DONE;
            return;
        }
        String transferEncoding = headers.get("Transfer-Encoding");
        String contentLength = headers.get("Content-Length");
        if (transferEncoding != null) {
            // §6.3: with both, Transfer-Encoding wins and the connection must not be reused
            if (contentLength != null) keepAlive = false;
            if (lastToken(transferEncoding).equalsIgnoreCase("chunked")) {
                state = State.CHUNK_SIZE;
            } else {
                state = State.UNTIL_CLOSE;
                keepAlive = false;
            }
        } else if (contentLength != null) {
            remaining = contentLength(contentLength);
            ensureBody((int) remaining);
            state = remaining == 0 ? State.DONE : State.BODY;
        } else {
            state = State.UNTIL_CLOSE;
            keepAlive = false;
        }
    }

    /** Digits only; a list of identical values ("42, 42") is accepted as §6.3 allows, anything else refused. */
    private static long contentLength(String value) throws ProtocolException {
        long length = -1;
        for (String part : value.split(",", -1)) {
            String digits = part.trim();
            if (digits.isEmpty() || digits.length() > 10 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new ProtocolException("bad Content-Length: " + abbreviate(value));
            }
            long n = Long.parseLong(digits);
            if (length >= 0 && n != length) throw new ProtocolException("conflicting Content-Length: " + value);
            length = n;
        }
        if (length > MAX_BODY) throw new ProtocolException("body of " + length + " bytes is over the limit");
        return length;
    }

    /** {@code 1a3f} or {@code 1a3f;name=value}: hex size, extensions ignored. */
    private void chunkSize(String s) throws ProtocolException {
        int end = s.indexOf(';');
        String hex = (end < 0 ? s : s.substring(0, end)).trim();
        if (hex.isEmpty() || hex.length() > 8) throw new ProtocolException("bad chunk size: " + abbreviate(s));
        long size = 0;
        for (int i = 0; i < hex.length(); i++) {
            int digit = Character.digit(hex.charAt(i), 16);
            if (digit < 0) throw new ProtocolException("bad chunk size: " + abbreviate(s));
            size = size * 16 + digit;
        }
        if (size == 0) {
            state = State.TRAILER_LINE;
            return;
        }
        if (bodyLength + size > MAX_BODY) throw new ProtocolException("chunked body over the limit");
        remaining = size;
        state = State.CHUNK_DATA;
    }

    private void append(ByteBuffer in, int n) throws ProtocolException {
        if ((long) bodyLength + n > MAX_BODY) throw new ProtocolException("body over the limit");
        ensureBody(bodyLength + n);
        in.get(body, bodyLength, n);
        bodyLength += n;
    }

    private void ensureBody(int capacity) {
        if (capacity > body.length) body = Arrays.copyOf(body, Math.max(capacity, Math.min(MAX_BODY, body.length * 2)));
    }

    private Response response() {
        // decoded only now: a multi-byte character may have been split between two reads
        return new Response(status, headers, new String(body, 0, bodyLength, StandardCharsets.UTF_8));
    }

    private static boolean hasToken(String list, String token) {
        for (String part : list.split(",")) {
            if (part.trim().equals(token)) return true;
        }
        return false;
    }

    private static String lastToken(String list) {
        String[] parts = list.split(",");
        return parts.length == 0 ? "" : parts[parts.length - 1].trim();
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
