package dev.bank.bench;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One HTTP/1.1 request of a load run as a scenario describes it: method, path below the {@link BaseUrl}, extra
 * headers (e.g. Content-Type) and a body, null for none. {@link #encode} turns it into the exact bytes sent,
 * before the request is due, so that building it is never part of its latency. The body array is taken over,
 * not copied: the scenarios build a fresh one per request.
 */
record Request(String method, String path, Map<String, String> headers, byte[] body) {
    /** Framing headers: {@link #encode} writes them from the base URL and the body, a scenario never does. */
    private static final Set<String> FRAMING = Set.of("host", "content-length", "transfer-encoding", "connection");
    /** RFC 9110 §9.2.2: these may be sent again after a connection failed under them. */
    private static final Set<String> IDEMPOTENT = Set.of("GET", "PUT", "DELETE", "OPTIONS", "TRACE");
    private static final Pattern METHOD = Pattern.compile("[A-Z]+");
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]+"); // RFC 9110 §5.6.2

    Request {
        if (!METHOD.matcher(method).matches()) throw new IllegalArgumentException("bad method " + method);
        // a HEAD response is framed without a body whatever its headers say; the parser does not track that
        if (method.equals("HEAD")) throw new IllegalArgumentException("HEAD is not supported");
        if (!path.startsWith("/") || !printable(path) || path.indexOf(' ') >= 0) {
            throw new IllegalArgumentException("bad path " + path);
        }
        Map<String, String> copy = new LinkedHashMap<>(); // in the caller's order, so the bytes are predictable
        headers.forEach((name, value) -> {
            if (!TOKEN.matcher(name).matches() || FRAMING.contains(name.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("bad or reserved header name " + name);
            }
            if (!printable(value)) throw new IllegalArgumentException("bad value for header " + name);
            copy.put(name, value);
        });
        headers = Collections.unmodifiableMap(copy);
    }

    static Request get(String path) {
        return new Request("GET", path, Map.of(), null);
    }

    static Request post(String path, String contentType, byte[] body) {
        return new Request("POST", path, Map.of("Content-Type", contentType), body);
    }

    /** The same request with one more header (e.g. its credential). */
    Request with(String name, String value) {
        Map<String, String> more = new java.util.LinkedHashMap<>(headers);
        more.put(name, value);
        return new Request(method, path, more, body);
    }

    boolean idempotent() {
        return IDEMPOTENT.contains(method);
    }

    /**
     * The request's bytes for {@code base}: request line, Host, the extra headers, Content-Length when there is a
     * body (or the method is one that carries one), an empty line, the body. Never chunked: the body is known.
     */
    byte[] encode(BaseUrl base) {
        StringBuilder head = new StringBuilder(160)
                .append(method).append(' ').append(base.pathPrefix()).append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(base.hostHeader()).append("\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        if (body != null || method.equals("POST") || method.equals("PUT") || method.equals("PATCH")) {
            head.append("Content-Length: ").append(body == null ? 0 : body.length).append("\r\n");
        }
        byte[] headBytes = head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
        if (body == null || body.length == 0) return headBytes;
        byte[] bytes = new byte[headBytes.length + body.length];
        System.arraycopy(headBytes, 0, bytes, 0, headBytes.length);
        System.arraycopy(body, 0, bytes, headBytes.length, body.length);
        return bytes;
    }

    /** Visible ASCII, space and tab only: no CR or LF that would end the line early, nothing US-ASCII cannot hold. */
    private static boolean printable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c < 0x20 && c != '\t') || c > 0x7e) return false;
        }
        return true;
    }
}
