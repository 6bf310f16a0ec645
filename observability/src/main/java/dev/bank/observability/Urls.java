package dev.bank.observability;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Collectors;

/** Building the URLs our services give out and ask each other with. */
public final class Urls {
    private Urls() {}

    /** One path segment or query value, percent-encoded; a space is %20, which path and query both read. */
    public static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** {@code ?k=v&...} with the values encoded, in the map's order; empty for no parameters. */
    public static String query(Map<String, String> params) {
        if (params.isEmpty()) return "";
        return params.entrySet().stream().map(e -> e.getKey() + "=" + encode(e.getValue()))
                .collect(Collectors.joining("&", "?", ""));
    }
}
