package dev.bank.bench;

import org.junit.jupiter.api.Test;

import java.io.EOFException;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The response parser on its own: framing, splits at any byte, keep-alive, and what it refuses. */
class ResponseParserTest {
    private static final String JSON = "{\"accountId\":\"a-1\",\"balance\":\"1000.00\"}";
    private static final String WITH_LENGTH = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            + "Content-Length: " + JSON.length() + "\r\n\r\n" + JSON;
    /** "naïve € ok" in three chunks, the € (3 bytes in UTF-8) split between the second and the third. */
    private static final byte[] CHUNKED = concat(
            "HTTP/1.1 201 Created\r\ntransfer-encoding: chunked\r\n\r\n6\r\nna\u00efve\r\n2;ext=1\r\n "
                    .getBytes(StandardCharsets.UTF_8),
            new byte[]{(byte) 0xe2, '\r', '\n', '4', '\r', '\n', (byte) 0x82, (byte) 0xac, ' ', 'o', '\r', '\n'},
            "1\r\nk\r\n0\r\nX-Trailer: t\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));

    @Test
    void readsABodyByContentLengthInOneBuffer() throws Exception {
        ResponseParser parser = new ResponseParser();
        Response r = parser.parse(buffer(WITH_LENGTH));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(JSON);
        assertThat(r.header("content-type")).isEqualTo("application/json");
        assertThat(r.header("CONTENT-LENGTH")).isEqualTo(String.valueOf(JSON.length()));
        assertThat(parser.keepAlive()).isTrue();
    }

    @Test
    void aResponseSplitAtAnyByteGivesTheSameResult() throws Exception {
        byte[] bytes = WITH_LENGTH.getBytes(StandardCharsets.UTF_8);
        for (int split = 1; split < bytes.length; split++) {
            ResponseParser parser = new ResponseParser();
            assertThat(parser.parse(ByteBuffer.wrap(bytes, 0, split))).as("after %d bytes", split).isNull();
            Response r = parser.parse(ByteBuffer.wrap(bytes, split, bytes.length - split));
            assertThat(r).as("split at %d", split).isNotNull();
            assertThat(r.body()).isEqualTo(JSON);
        }
    }

    @Test
    void readsAChunkedBodyFedByteByByteAndDecodesUtf8SplitBetweenChunks() throws Exception {
        ResponseParser parser = new ResponseParser();
        Response r = byteByByte(parser, CHUNKED);

        assertThat(r.status()).isEqualTo(201);
        assertThat(r.body()).isEqualTo("na\u00efve \u20ac ok");
        assertThat(r.header("Transfer-Encoding")).isEqualTo("chunked");
        assertThat(parser.keepAlive()).isTrue();
    }

    @Test
    void aResponseWithoutABodyEndsWithItsHeadersAndLeavesWhatFollows() throws Exception {
        ResponseParser parser = new ResponseParser();
        ByteBuffer two = buffer("HTTP/1.1 204 No Content\r\nContent-Length: 99\r\n\r\n" + WITH_LENGTH);

        Response first = parser.parse(two);
        assertThat(first.status()).isEqualTo(204);
        assertThat(first.body()).isEmpty();
        // the second response is still in the buffer, for the next parse after a reset
        assertThat(two.remaining()).isEqualTo(WITH_LENGTH.length());
        parser.reset();
        assertThat(parser.parse(two).body()).isEqualTo(JSON);
        assertThat(two.hasRemaining()).isFalse();
    }

    @Test
    void aNotModifiedAndAZeroLengthBodyAreEmpty() throws Exception {
        assertThat(new ResponseParser().parse(buffer("HTTP/1.1 304 Not Modified\r\n\r\n")).body()).isEmpty();
        assertThat(new ResponseParser().parse(buffer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")).body()).isEmpty();
    }

    @Test
    void skipsAnInterimResponse() throws Exception {
        Response r = new ResponseParser().parse(buffer("HTTP/1.1 100 Continue\r\n\r\n" + WITH_LENGTH));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(JSON);
    }

    @Test
    void aBodyWithoutLengthRunsUntilTheServerCloses() throws Exception {
        ResponseParser parser = new ResponseParser();
        assertThat(parser.parse(buffer("HTTP/1.1 200 OK\r\n\r\npart one, "))).isNull();
        assertThat(parser.parse(buffer("part two"))).isNull();

        Response r = parser.endOfStream();
        assertThat(r.body()).isEqualTo("part one, part two");
        assertThat(parser.keepAlive()).isFalse();
    }

    @Test
    void keepAliveFollowsTheVersionAndTheConnectionHeader() throws Exception {
        assertThat(keepAlive("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")).isTrue();
        assertThat(keepAlive("HTTP/1.1 200 OK\r\nConnection: Close\r\nContent-Length: 0\r\n\r\n")).isFalse();
        assertThat(keepAlive("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")).isFalse();
        assertThat(keepAlive("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n")).isTrue();
        // both framings: Transfer-Encoding wins and the connection must not be reused (RFC 9112 §6.3)
        assertThat(keepAlive("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"))
                .isFalse();
    }

    @Test
    void joinsARepeatedHeaderAndAcceptsABareLineFeed() throws Exception {
        Response r = new ResponseParser().parse(buffer(
                "HTTP/1.1 200\nVary: Accept\nvary: Origin\nContent-Length: 2\n\nok"));
        assertThat(r.header("Vary")).isEqualTo("Accept, Origin");
        assertThat(r.body()).isEqualTo("ok");
    }

    @Test
    void refusesMalformedResponses() {
        assertMalformed("HTTP/2 200 OK\r\n\r\n", "bad status line");
        assertMalformed("HTTP/1.1 2x0 OK\r\n\r\n", "bad status code");
        assertMalformed("garbage\r\n\r\n", "bad status line");
        assertMalformed("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "bad header line");
        assertMalformed("HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\nok", "space before");
        assertMalformed("HTTP/1.1 200 OK\r\nContent-Length: -2\r\n\r\n", "bad Content-Length");
        assertMalformed("HTTP/1.1 200 OK\r\nContent-Length: 2, 3\r\n\r\n", "conflicting Content-Length");
        assertMalformed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "bad chunk size");
        assertMalformed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n", "longer than its size");
        assertMalformed("HTTP/1.1 200 OK\r\nX: " + "a".repeat(ResponseParser.MAX_LINE) + "\r\n\r\n", "line longer");
    }

    @Test
    void aConnectionClosedEarlySaysWhetherAnythingHadArrived() throws Exception {
        ResponseParser before = new ResponseParser();
        assertThatThrownBy(before::endOfStream).isInstanceOf(EOFException.class).hasMessageContaining("before any");
        assertThat(before.started()).isFalse();

        ResponseParser during = new ResponseParser();
        assertThat(during.parse(buffer("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"))).isNull();
        assertThatThrownBy(during::endOfStream).isInstanceOf(EOFException.class).hasMessageContaining("middle");
        assertThat(during.started()).isTrue();
    }

    private static boolean keepAlive(String response) throws ProtocolException {
        ResponseParser parser = new ResponseParser();
        assertThat(parser.parse(buffer(response))).isNotNull();
        return parser.keepAlive();
    }

    private static void assertMalformed(String response, String message) {
        assertThatThrownBy(() -> new ResponseParser().parse(buffer(response)))
                .as(response.length() > 60 ? response.substring(0, 60) : response)
                .isInstanceOf(ProtocolException.class).hasMessageContaining(message);
    }

    static Response byteByByte(ResponseParser parser, byte[] bytes) throws ProtocolException {
        for (int i = 0; i < bytes.length - 1; i++) {
            assertThat(parser.parse(ByteBuffer.wrap(bytes, i, 1))).as("after byte %d", i).isNull();
        }
        return parser.parse(ByteBuffer.wrap(bytes, bytes.length - 1, 1));
    }

    private static ByteBuffer buffer(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] p : parts) length += p.length;
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }
}
