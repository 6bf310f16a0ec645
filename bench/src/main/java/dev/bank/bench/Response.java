package dev.bank.bench;

import org.eclipse.jetty.http.HttpFields;

import java.util.List;

/**
 * One HTTP response as a scenario's check sees it: the status, the headers as the client received them and the body
 * decoded as UTF-8, "" when there is none.
 */
record Response(int status, HttpFields headers, String body) {

    /**
     * The value of header {@code name}, in any case; a repeated field's values joined by ", " (as RFC 9110 §5.3
     * allows); null when the response has none.
     */
    String header(String name) {
        List<String> values = headers.getValuesList(name);
        return values.isEmpty() ? null : values.size() == 1 ? values.get(0) : String.join(", ", values);
    }
}
