package dev.bank.bench;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.StandardSocketOptions;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Deque;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The load generator's HTTP/1.1 client, lean because it shares a 2-core machine with the system it measures (the
 * JDK HttpClient's threads and future chains took a sizeable share of all CPU samples; docs/performance.md). A
 * request is bytes encoded in advance; the sending thread writes them straight onto an idle keep-alive connection,
 * with no hand-off to another thread, and one selector thread, {@code bench-http}, reads and parses the response
 * and calls back.
 *
 * <p>A connection carries one request at a time (no pipelining). One is opened only when no idle one to the address
 * is left, so no more are open at once than requests were ever in flight at once; it is reused until the server
 * closes it or answers {@code Connection: close}. Every request gets exactly one callback: a response, or an error
 * (connect refused, reset, closed early, a malformed response, or no complete answer within the timeout). The
 * callback runs on the selector thread, or on the sending thread when the failure is immediate (e.g. a refused
 * connect), and must be quick: every other connection waits while it runs. A GET whose reused connection turns
 * out to have been closed by the server before any answer is sent once more on a new connection, as RFC 9110
 * §9.2.2 allows for idempotent requests; anything else is reported, never repeated.
 *
 * <p>Who may touch a connection is settled by its state. IDLE: in its address's pool, the selector only watches it
 * for a close by the server. BUSY: one exchange; the sender writes, the selector reads. CLOSED: finished. Every
 * way out of BUSY is a compare-and-set, and only the thread that wins it ends the exchange, so no callback runs
 * twice however a timeout, a reset and a late answer race. A connection goes back to IDLE before its callback
 * runs, so the permit the callback frees never finds every connection still busy.
 */
final class HttpConnections implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpConnections.class);
    private static final int IDLE = 0;
    private static final int BUSY = 1;
    private static final int CLOSED = 2;

    /** What to do with the outcome of one request: exactly one of the two arguments is non-null. */
    @FunctionalInterface
    interface Callback {
        void done(Response response, IOException error);
    }

    private final Duration timeout;
    private final long timeoutNanos;
    private final long scanMillis;
    private final Selector selector;
    private final Map<InetSocketAddress, Deque<Connection>> idle = new ConcurrentHashMap<>();
    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger opened = new AtomicInteger();
    /** Only the selector thread reads, and the parser copies what it needs, so one buffer serves every connection. */
    private final ByteBuffer readBuffer = ByteBuffer.allocate(64 * 1024);
    private final Thread thread;
    private volatile boolean closed;

    /** Starts the selector thread; {@code timeout} is each request's, from its send to the last byte of its answer. */
    HttpConnections(Duration timeout) {
        this.timeout = timeout;
        this.timeoutNanos = timeout.toNanos();
        // timeouts are checked this often: a tenth of the timeout, at most every 100 ms
        this.scanMillis = Math.max(1, Math.min(100, timeout.toMillis() / 10));
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new IllegalStateException("cannot open a selector", e);
        }
        this.thread = new Thread(this::loop, "bench-http");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Sends {@code request} (complete, encoded bytes) to {@code address} and returns at once; {@code callback} gets
     * the outcome. {@code idempotent} allows the one resend described above.
     */
    void send(InetSocketAddress address, byte[] request, boolean idempotent, Callback callback) {
        dispatch(new Exchange(address, request, idempotent, callback, System.nanoTime() + timeoutNanos));
    }

    /** Connections opened so far, to every address. */
    int opened() {
        return opened.get();
    }

    /** Connections open now, idle or busy. */
    int openNow() {
        return open.size();
    }

    private void dispatch(Exchange exchange) {
        if (closed) {
            complete(exchange, null, new IOException("the HTTP client is closed"));
            return;
        }
        Deque<Connection> pool = idle.get(exchange.address);
        Connection c;
        // most recently used first: at a low rate the same few connections keep serving
        while (pool != null && (c = pool.pollFirst()) != null) {
            if (c.claim(exchange)) {
                write(c, exchange);
                return;
            }
        }
        connect(exchange);
    }

    private void connect(Exchange exchange) {
        Connection c = null;
        try {
            SocketChannel channel = SocketChannel.open();
            c = new Connection(channel, exchange);
            open.add(c);
            opened.incrementAndGet();
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            boolean connected = channel.connect(exchange.address);
            c.key = channel.register(selector, connected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, c);
            if (Thread.currentThread() != thread) selector.wakeup(); // so it watches the new channel from now on
            if (connected) write(c, exchange);
        } catch (IOException | RuntimeException e) {
            // e.g. an unresolved host or a closed selector: still this request's error, never the run's
            IOException error = e instanceof IOException io ? io : (IOException)
                    new ConnectException("cannot connect to " + exchange.address + ": " + e).initCause(e);
            if (c != null) fail(c, error, false);
            else complete(exchange, null, error);
        }
    }

    /** Writes the request; what the socket does not take at once, the selector writes when it can. */
    private void write(Connection c, Exchange exchange) {
        ByteBuffer bytes = ByteBuffer.wrap(exchange.request);
        try {
            c.channel.write(bytes);
            if (bytes.hasRemaining()) {
                c.unwritten = bytes;
                c.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                if (Thread.currentThread() != thread) selector.wakeup();
            }
        } catch (IOException | CancelledKeyException e) {
            // nothing of an answer can have come yet, so a connection the server had closed may be retried
            fail(c, e instanceof IOException io ? io : new IOException("connection closed", e), true);
        }
    }

    private void loop() {
        long nextScan = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(scanMillis);
        while (!closed) {
            try {
                selector.select(this::ready, scanMillis);
                long now = System.nanoTime();
                if (now - nextScan >= 0) {
                    expire(now);
                    nextScan = now + TimeUnit.MILLISECONDS.toNanos(scanMillis);
                }
            } catch (ClosedSelectorException e) {
                return;
            } catch (IOException | RuntimeException e) {
                log.error("bench-http: selector failed", e); // each exchange still ends, by its timeout
            }
        }
    }

    private void ready(SelectionKey key) {
        Connection c = (Connection) key.attachment();
        try {
            if (key.isConnectable()) {
                finishConnect(c, key);
                return;
            }
            if (key.isWritable()) writeRest(c, key);
            if (key.isValid() && key.isReadable()) read(c);
        } catch (CancelledKeyException e) {
            // closed meanwhile by the sending thread, which ended the exchange itself
        }
    }

    private void finishConnect(Connection c, SelectionKey key) {
        c.key = key;
        try {
            if (!c.channel.finishConnect()) return;
            key.interestOps(SelectionKey.OP_READ);
        } catch (IOException e) {
            fail(c, e, false);
            return;
        }
        write(c, c.exchange);
    }

    private void writeRest(Connection c, SelectionKey key) {
        ByteBuffer bytes = c.unwritten;
        if (bytes == null) return;
        try {
            c.channel.write(bytes);
        } catch (IOException e) {
            fail(c, e, true);
            return;
        }
        if (!bytes.hasRemaining()) {
            c.unwritten = null;
            key.interestOps(SelectionKey.OP_READ);
        }
    }

    private void read(Connection c) {
        ByteBuffer in = readBuffer.clear();
        int n;
        try {
            n = c.channel.read(in);
        } catch (IOException e) {
            if (!closeIfIdle(c)) fail(c, e, !c.parser.started());
            return;
        }
        if (n == 0 || closeIfIdle(c)) return;
        if (n < 0) {
            try {
                succeed(c, c.parser.endOfStream(), false);
            } catch (IOException e) {
                fail(c, e, !c.parser.started());
            }
            return;
        }
        try {
            Response response = c.parser.parse(in.flip());
            // with no pipelining, bytes after the answer are the server's mistake: answer kept, connection dropped
            if (response != null) succeed(c, response, c.parser.keepAlive() && !in.hasRemaining());
        } catch (ProtocolException e) {
            fail(c, e, false);
        }
    }

    /**
     * A read on an idle connection (the server closed it, or sent what nobody asked for) closes it, unless a
     * sender claimed it meanwhile: then what was read belongs to that sender's exchange. True when closed here.
     */
    private boolean closeIfIdle(Connection c) {
        if (c.state.get() != IDLE || !c.state.compareAndSet(IDLE, CLOSED)) return false;
        Deque<Connection> pool = idle.get(c.address);
        if (pool != null) pool.remove(c);
        discard(c);
        return true;
    }

    private void succeed(Connection c, Response response, boolean reuse) {
        Exchange exchange = c.exchange;
        c.answered++;
        if (reuse) {
            c.parser.reset();
            // c.exchange stays until the next claim replaces it: clearing it here could race a sender's fail()
            if (!c.state.compareAndSet(BUSY, IDLE)) return; // ended by a timeout or a failed write meanwhile
            idle.computeIfAbsent(c.address, a -> new ConcurrentLinkedDeque<>()).offerFirst(c);
        } else {
            if (!c.state.compareAndSet(BUSY, CLOSED)) return;
            discard(c);
        }
        complete(exchange, response, null);
    }

    /**
     * Ends the exchange on {@code c} with {@code error} and drops the connection, unless another thread ended it
     * first. {@code nothingReceived}: no byte of an answer came, so a reused connection was probably closed by the
     * server before the request reached it, and an idempotent request is sent once more.
     */
    private void fail(Connection c, IOException error, boolean nothingReceived) {
        if (!c.state.compareAndSet(BUSY, CLOSED)) return;
        Exchange exchange = c.exchange;
        discard(c);
        if (nothingReceived && c.answered > 0 && exchange.idempotent && !exchange.resent) {
            exchange.resent = true;
            // on a new connection: another idle one may be just as stale (a server that caps its idle
            // connections, like the JDK's, closes them right after answering)
            if (closed) complete(exchange, null, new IOException("the HTTP client is closed"));
            else connect(exchange);
        } else {
            complete(exchange, null, error);
        }
    }

    /** Ends every exchange that is past its deadline, connecting or waiting for its answer alike. */
    private void expire(long now) {
        for (Connection c : open) {
            if (c.state.get() != BUSY) continue;
            Exchange exchange = c.exchange; // read after the state: the one published by the claim
            if (now - exchange.deadline >= 0) {
                fail(c, new HttpTimeoutException("no complete answer within " + timeout), false);
            }
        }
    }

    private void discard(Connection c) {
        open.remove(c);
        try {
            c.channel.close(); // also cancels its key
        } catch (IOException e) {
            log.debug("closing a connection failed", e);
        }
    }

    private static void complete(Exchange exchange, Response response, IOException error) {
        try {
            exchange.callback.done(response, error);
        } catch (RuntimeException e) {
            log.warn("a response callback failed", e); // it must not take the selector thread down with it
        }
    }

    /** Stops the selector thread, then ends what is still in flight with an error and closes every connection. */
    @Override
    public void close() {
        closed = true;
        selector.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Connection c : open) {
            if (!closeIfIdle(c)) fail(c, new IOException("the HTTP client is closed"), false);
        }
        try {
            selector.close();
        } catch (IOException e) {
            log.debug("closing the selector failed", e);
        }
    }

    /** One request on its way: where to, its bytes, its callback, when it must have been answered. */
    private static final class Exchange {
        final InetSocketAddress address;
        final byte[] request;
        final boolean idempotent;
        final Callback callback;
        final long deadline;
        /** Touched only by whoever won the connection's state, so it needs no lock. */
        boolean resent;

        Exchange(InetSocketAddress address, byte[] request, boolean idempotent, Callback callback, long deadline) {
            this.address = address;
            this.request = request;
            this.idempotent = idempotent;
            this.callback = callback;
            this.deadline = deadline;
        }
    }

    private static final class Connection {
        final SocketChannel channel;
        final InetSocketAddress address;
        final AtomicInteger state = new AtomicInteger(BUSY);
        /** Selector thread only (reset before the connection goes back to IDLE, which publishes it). */
        final ResponseParser parser = new ResponseParser();
        volatile SelectionKey key;
        /** The current exchange while BUSY (set by the claiming sender before its compare-and-set, which publishes
         *  it); after that the last one, never read again. */
        volatile Exchange exchange;
        /** The rest of a request the socket did not take at once. */
        volatile ByteBuffer unwritten;
        /** Answers read on this connection; written by the selector before each return to IDLE. */
        int answered;

        Connection(SocketChannel channel, Exchange first) {
            this.channel = channel;
            this.address = first.address;
            this.exchange = first;
        }

        /** Takes this idle connection for {@code next}; false when the selector closed it first. */
        boolean claim(Exchange next) {
            exchange = next; // if the claim fails, the connection is closed and nobody reads this any more
            return state.compareAndSet(IDLE, BUSY);
        }
    }
}
