package dev.bank.bench;

import java.net.URI;

/**
 * Where a load run sends its requests, from a URL such as {@code http://127.0.0.1:8080} or
 * {@code http://gateway/bank}: host, port and a path prefix that every request path goes below. Plain http only:
 * the bank's services serve nothing else, and the bench's client is set up and tested without TLS; an https URL
 * is refused up front rather than failing every request.
 *
 * @param pathPrefix "" or a path without a trailing slash
 */
record BaseUrl(String host, int port, String pathPrefix) {

    BaseUrl {
        if (host == null || host.isEmpty()) throw new IllegalArgumentException("no host");
        if (port < 1 || port > 65_535) throw new IllegalArgumentException("port out of range: " + port);
        if (!pathPrefix.isEmpty() && (!pathPrefix.startsWith("/") || pathPrefix.endsWith("/"))) {
            throw new IllegalArgumentException("path prefix must be empty or /x, no trailing slash: " + pathPrefix);
        }
    }

    static BaseUrl parse(String url) {
        URI uri = URI.create(url);
        if (!"http".equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException("the bench's HTTP client speaks plain http only, not " + url);
        }
        if (uri.getHost() == null) throw new IllegalArgumentException("no host in " + url);
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("a base URL has no query or fragment: " + url);
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (path.endsWith("/")) path = path.substring(0, path.length() - 1);
        return new BaseUrl(uri.getHost(), uri.getPort() < 0 ? 80 : uri.getPort(), path);
    }

    /** Scheme, host and port, without the path prefix: what each request's path is set against. */
    URI origin() {
        return URI.create("http://" + hostHeader());
    }

    /** The Host header's value (RFC 9110 §7.2): the port only when it is not http's default. */
    String hostHeader() {
        return port == 80 ? host : host + ":" + port;
    }
}
