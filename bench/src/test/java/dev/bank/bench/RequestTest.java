package dev.bank.bench;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The requests and base URLs the bench refuses, and how a base URL splits; what a server is actually sent is
 * checked against a real one in {@link RestLoadHttpTest}.
 */
class RequestTest {

    @Test
    void headersKeepTheCallersOrderAndWithAddsOne() {
        Request post = Request.post("/transaction", "application/json", new byte[] {1})
                .with("Idempotency-Key", "k-1").with("Authorization", "Bearer t");

        assertThat(post.method()).isEqualTo("POST");
        assertThat(post.headers().keySet()).containsExactly("Content-Type", "Idempotency-Key", "Authorization");
        assertThat(Request.get("/").headers()).isEmpty();
    }

    @Test
    void aBaseUrlSplitsIntoOriginAndPathPrefixAndPort80IsLeftOutOfHost() {
        BaseUrl base = BaseUrl.parse("http://gateway/bank/");
        assertThat(base).isEqualTo(new BaseUrl("gateway", 80, "/bank"));
        assertThat(base.hostHeader()).isEqualTo("gateway");
        assertThat(base.origin()).isEqualTo(URI.create("http://gateway"));

        BaseUrl local = BaseUrl.parse("http://127.0.0.1:8080");
        assertThat(local.pathPrefix()).isEmpty();
        assertThat(local.hostHeader()).isEqualTo("127.0.0.1:8080");
        assertThat(BaseUrl.parse("http://[::1]:8080/x").origin()).isEqualTo(URI.create("http://[::1]:8080"));
    }

    @Test
    void refusesWhatItCannotSendAsIs() {
        assertThatThrownBy(() -> BaseUrl.parse("https://127.0.0.1:8443")).hasMessageContaining("plain http");
        assertThatThrownBy(() -> BaseUrl.parse("http://127.0.0.1:8080/?a=1")).hasMessageContaining("no query");
        assertThatThrownBy(() -> Request.get("balance")).hasMessageContaining("bad path");
        assertThatThrownBy(() -> Request.get("/a b")).hasMessageContaining("bad path");
        assertThatThrownBy(() -> new Request("GET", "/", Map.of("X-Evil", "a\r\nHost: b"), null))
                .hasMessageContaining("bad value");
        assertThatThrownBy(() -> new Request("POST", "/", Map.of("content-length", "3"), null))
                .hasMessageContaining("reserved");
        assertThatThrownBy(() -> new Request("get", "/", Map.of(), null)).hasMessageContaining("bad method");
    }
}
