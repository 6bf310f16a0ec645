package dev.bank.bench;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The exact bytes a request is sent as, and the base URLs and headers the client refuses. */
class RequestTest {
    private static final BaseUrl LOCAL = BaseUrl.parse("http://127.0.0.1:8080");

    @Test
    void aGetIsARequestLineAndAHost() {
        assertThat(text(Request.get("/balance/a-1").encode(LOCAL)))
                .isEqualTo("GET /balance/a-1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n");
    }

    @Test
    void aPostCarriesItsHeadersLengthAndBody() {
        byte[] body = "{\"amount\":\"1.50\",\"note\":\"\u00e9\"}".getBytes(StandardCharsets.UTF_8);
        Request post = new Request("POST", "/transaction",
                Map.of("Content-Type", "application/json", "Idempotency-Key", "k-1"), body);

        String sent = new String(post.encode(LOCAL), StandardCharsets.UTF_8);
        assertThat(sent).startsWith("POST /transaction HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n")
                .contains("Content-Type: application/json\r\n", "Idempotency-Key: k-1\r\n")
                .endsWith("Content-Length: " + body.length + "\r\n\r\n" + new String(body, StandardCharsets.UTF_8));
        assertThat(post.idempotent()).isFalse();
        assertThat(Request.get("/").idempotent()).isTrue();
    }

    @Test
    void aBaseUrlsPathPrefixesEveryRequestAndPort80IsLeftOutOfHost() {
        BaseUrl base = BaseUrl.parse("http://gateway/bank/");
        assertThat(base).isEqualTo(new BaseUrl("gateway", 80, "/bank"));
        assertThat(text(Request.post("/transaction", "application/json", null).encode(base)))
                .isEqualTo("POST /bank/transaction HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 0\r\n\r\n");
    }

    @Test
    void refusesWhatItCannotSendAsIs() {
        assertThatThrownBy(() -> BaseUrl.parse("https://127.0.0.1:8443")).hasMessageContaining("plain http");
        assertThatThrownBy(() -> Request.get("balance")).hasMessageContaining("bad path");
        assertThatThrownBy(() -> Request.get("/a b")).hasMessageContaining("bad path");
        assertThatThrownBy(() -> new Request("GET", "/", Map.of("X-Evil", "a\r\nHost: b"), null))
                .hasMessageContaining("bad value");
        assertThatThrownBy(() -> new Request("POST", "/", Map.of("content-length", "3"), null))
                .hasMessageContaining("reserved");
        assertThatThrownBy(() -> new Request("HEAD", "/", Map.of(), null)).hasMessageContaining("HEAD");
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.US_ASCII);
    }
}
