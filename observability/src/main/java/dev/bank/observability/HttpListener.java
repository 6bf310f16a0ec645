package dev.bank.observability;

import io.javalin.config.JavalinConfig;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.net.InetSocketAddress;
import java.util.function.Supplier;

/**
 * The HTTP listener of both services. Java binds server sockets with a backlog of 50 unless told otherwise; a
 * burst of a thousand clients connecting at once then overflows the kernel's accept queue, and connections the
 * kernel dropped fail with "no bytes" on the client instead of waiting their turn. A few threads serve many
 * clients, so no client may hold one: bodies are read before a handler runs ({@link BodyFirst}), a body that makes
 * no progress gives up soon (408) and other I/O that makes none later. Every error is answered as a problem
 * document ({@link HttpErrors}).
 */
public final class HttpListener {
    /** Connections the kernel holds for the server before it accepts them (capped by net.core.somaxconn). */
    public static final int ACCEPT_QUEUE = 4096;
    /**
     * HTTP threads, of the servers and of the gateway's client to the processors: every handler that waits (for an
     * outcome, or for a processor's answer) does so without a thread, so a thread only ever runs a few hundred
     * microseconds of work. Javalin's default of 250 made 2 cores switch between far more runnable threads than
     * they can run: 16 instead measured more rest-sync throughput and less CPU per request (docs/performance.md).
     */
    public static final int MAX_THREADS = Math.max(16, 8 * Runtime.getRuntime().availableProcessors());

    /**
     * How long a request body may make no progress before it counts as ended, so that the application answers 408
     * and no thread waits for it ({@link BodyFirst}). It applies to the body only: a request answered
     * asynchronously does no I/O while it waits, and its answer may take longer than this.
     */
    public static final long BODY_TIMEOUT_MILLIS = 3_000;

    /**
     * How long a connection may make no I/O progress at any other time before Jetty gives up on it: a request's
     * line and headers, a response the client does not read, a kept-alive connection between requests. Jetty's
     * default. It is the backstop for a write that makes no progress, and it must be longer than any answer takes
     * (by default the gateway waits up to 5 s for Kafka to take a command and 5 s for its outcome): it counts from
     * the connection's last I/O, so one that expires just as a slow answer is being written fails that write.
     */
    public static final long IO_TIMEOUT_MILLIS = 30_000;

    private HttpListener() {}

    /** Listens on the address the supplier gives at start-up (port 0: any free port). */
    public static void install(JavalinConfig config, Supplier<InetSocketAddress> address) {
        install(config, address, "JettyServerThreadPool");
    }

    /**
     * As {@link #install(JavalinConfig, Supplier)}, naming the server's threads {@code threads-<n>}: the gateway's
     * apart from the processor's when both run in one JVM (the bench prices the gateway's CPU by its threads).
     */
    public static void install(JavalinConfig config, Supplier<InetSocketAddress> address, String threads) {
        install(config, address, BODY_TIMEOUT_MILLIS, IO_TIMEOUT_MILLIS, threads);
    }

    /** As {@link #install(JavalinConfig, Supplier)} with other timeouts, so that tests need not wait for them. */
    static void install(JavalinConfig config, Supplier<InetSocketAddress> address, long bodyTimeoutMillis,
                        long ioTimeoutMillis) {
        install(config, address, bodyTimeoutMillis, ioTimeoutMillis, "JettyServerThreadPool");
    }

    private static void install(JavalinConfig config, Supplier<InetSocketAddress> address, long bodyTimeoutMillis,
                                long ioTimeoutMillis, String threadsName) {
        HttpErrors.install(config);
        // Javalin hangs its servlet context below this wrapper; the body limit is read when the server is built
        config.jetty.modifyServer(server -> server.setHandler(
                BodyFirst.handler(config.http.maxRequestSize, bodyTimeoutMillis)));
        QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, 4);
        threads.setName(threadsName);
        config.jetty.threadPool = threads;
        config.jetty.addConnector((server, httpConfiguration) -> {
            ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(httpConfiguration));
            InetSocketAddress bind = address.get();
            connector.setHost(bind.getHostString());
            connector.setPort(bind.getPort());
            connector.setAcceptQueueSize(ACCEPT_QUEUE);
            connector.setIdleTimeout(ioTimeoutMillis);
            return connector;
        });
    }
}
