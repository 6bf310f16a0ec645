package dev.bank.observability;

import io.javalin.Javalin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every request ends in its answer or, if the server gave up on it, in a closed connection; never in silence, the
 * connection open and no answer coming. Real servers and real sockets, with timeouts far shorter than the
 * services' so that the tests wait seconds, not minutes.
 */
class AnsweredOrClosedTest {
    static final long IO_TIMEOUT = 2_000;
    /** Far more than the kernel buffers of a loopback connection hold, so a client that reads nothing stalls it. */
    static final byte[] LARGE = new byte[16 * 1024 * 1024];
    static Javalin app;

    @BeforeAll
    static void start() {
        app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            HttpListener.install(config, () -> new InetSocketAddress("127.0.0.1", 0), IO_TIMEOUT);
            config.routes.put("/large", ctx -> {
                ctx.bodyAsBytes();
                // the whole answer in the response's last write, as a small answer is: it is that write that stalls
                ctx.res().setBufferSize(LARGE.length + 1024);
                ctx.future(() -> CompletableFuture.runAsync(() -> ctx.result(LARGE))); // off a server thread
            });
        }).start();
    }

    @AfterAll
    static void stop() {
        app.stop();
    }

    /**
     * The deterministic form of the bench's unanswered requests: a response write Jetty gave up on (here because
     * the client reads nothing; in the bench because the idle timeout expired just as an answer was being written)
     * used to leave the exchange unfinished, the connection open and silent until the client's own timeout.
     */
    @Test
    void aResponseWhoseWriteIsGivenUpOnEndsInAClosedConnection() throws Exception {
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(16 * 1024);
            socket.connect(new InetSocketAddress("127.0.0.1", app.port()));
            socket.getOutputStream().write(putLarge());
            Thread.sleep(IO_TIMEOUT + 1_000); // a client that reads nothing: the server's write makes no progress
            socket.setSoTimeout((int) IO_TIMEOUT);
            assertThat(readUntilClosed(socket.getInputStream()))
                    .as("the server gave up on the write; it must have closed the connection, not left it open")
                    .isLessThan(LARGE.length);
        }
    }

    private static byte[] putLarge() {
        return "PUT /large HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n12345".getBytes(StandardCharsets.US_ASCII);
    }

    /** Reads until the server closes (end of stream or reset): the bytes read. A read that times out fails. */
    private static long readUntilClosed(InputStream in) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        try {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) total += n;
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the connection stayed open, silent, after " + total + " bytes of the answer", e);
        } catch (SocketException e) {
            // reset: closed as well
        }
        return total;
    }
}
