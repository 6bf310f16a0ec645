package dev.bank.bench;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One HTTP response as a scenario's check sees it: the status, the headers (names case-insensitive, a repeated
 * field's values joined by ", " as RFC 9110 §5.3 allows) and the body decoded as UTF-8, "" when there is none.
 */
record Response(int status, Map<String, String> headers, String body) {

    Response {
        Map<String, String> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        copy.putAll(headers);
        headers = Collections.unmodifiableMap(copy);
    }

    /** The value of header {@code name}, in any case; null when the response has none. */
    String header(String name) {
        return headers.get(name);
    }
}
