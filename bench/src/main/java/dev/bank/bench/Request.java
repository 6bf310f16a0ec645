package dev.bank.bench;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One HTTP/1.1 request of a load run as a scenario describes it: method, path below the {@link BaseUrl}, extra
 * headers (e.g. Content-Type) and a body, null for none. The client adds the framing (Host, Content-Length). The
 * body array is taken over, not copied: the scenarios build a fresh one per request, and it is sent as it is.
 */
record Request(String method, String path, Map<String, String> headers, byte[] body) {
    /** Framing headers: the client writes them from the base URL and the body, a scenario never does. */
    private static final Set<String> FRAMING = Set.of("host", "content-length", "transfer-encoding", "connection");
    private static final Pattern METHOD = Pattern.compile("[A-Z]+");
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]+"); // RFC 9110 §5.6.2

    Request {
        if (!METHOD.matcher(method).matches()) throw new IllegalArgumentException("bad method " + method);
        if (!path.startsWith("/") || !printable(path) || path.indexOf(' ') >= 0) {
            throw new IllegalArgumentException("bad path " + path);
        }
        Map<String, String> copy = new LinkedHashMap<>(); // in the caller's order, so what is sent is predictable
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
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new Request(method, path, more, body);
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
