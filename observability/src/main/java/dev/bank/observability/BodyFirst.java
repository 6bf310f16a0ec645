package dev.bank.observability;

import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.IdleTimeout;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.EagerContentHandler;
import org.eclipse.jetty.util.Callback;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Hands a request to the application only once its body is in, read as it arrives without holding a thread.
 * Javalin reads bodies blocking, so otherwise every client that sends its body slowly, or not at all, holds one
 * of {@link HttpListener#MAX_THREADS} server threads, and a few dozen such clients stall the service. Jetty's
 * {@link EagerContentHandler} does the reading; this adds that a body which stops arriving for the body timeout
 * ends the wait at once: the application then reads the failure and answers 408, instead of the request waiting,
 * unanswered, for as long as the client keeps the connection.
 *
 * <p>The body timeout is the connection's idle timeout while the body is read, and only then: once the body is in,
 * the connection's own (longer) timeout is back. Jetty's idle timeout counts from the connection's last I/O, so
 * for a request answered asynchronously it runs while the answer is being worked on; one that expired as the
 * answer was being written failed that write, and the client got no answer (or, see below, none ever).
 *
 * <p>It also completes the exchange when the response fails. Jetty's loader hands the application a callback
 * (EagerContentHandler's {@code RewindChunksRequest}, Jetty 12.1.12 and 12.1.13) whose failure is implemented
 * under the name {@code fail(Throwable)}, the request's {@link Content.Source#fail}, so its
 * {@link Callback#failed} is Callback's empty default: a response that failed (e.g. a write an idle timeout gave
 * up on) never completed, and Jetty neither answered nor closed the connection, so the client waited in silence
 * until its own timeout.
 */
final class BodyFirst implements EagerContentHandler.ContentLoaderFactory {
    private final long maxBytes;
    private final long timeoutMillis;

    /**
     * @param maxBytes a body beyond this is handed on as soon as it is that large (the application refuses it)
     * @param timeoutMillis how long a body may make no progress before it counts as ended (the application: 408)
     */
    BodyFirst(long maxBytes, long timeoutMillis) {
        this.maxBytes = maxBytes;
        this.timeoutMillis = timeoutMillis;
    }

    static Handler.Wrapper handler(long maxBodyBytes, long bodyTimeoutMillis) {
        return new EagerContentHandler(new BodyFirst(maxBodyBytes + 1, bodyTimeoutMillis));
    }

    @Override
    public String getApplicableMimeType() {
        return null; // every content type
    }

    @Override
    public EagerContentHandler.ContentLoader newContentLoader(String contentType, String mimeType, Handler handler,
                                                              Request request, Response response, Callback callback) {
        TimeoutEndsBody body = new TimeoutEndsBody(request, timeoutMillis);
        return new EagerContentHandler.RetainedContentLoaderFactory.RetainedContentLoader(handler, body, response,
                callback, maxBytes, 0, false) {
            @Override
            protected void handle(Request withBody, Response response, Callback releasesBody) {
                body.ended(); // the body is in (or as much as is accepted: the application refuses a larger one)
                super.handle(withBody, response, new Completion(withBody, releasesBody, callback));
            }
        };
    }

    /**
     * The request while its body is read: the connection's idle timeout is the body timeout until the body has
     * ended, and a read that timed out is the body's end, so the loader stops waiting and hands the request on.
     * Only a read waiting for the client times out: Jetty delivers the timeout to a pending read, and asks the
     * request's idle timeout listeners only when none is pending, i.e. when the server, not the client, is slow
     * (a thread not yet back to read, on a busy machine); this listener then lets the request go on. Without it
     * Jetty would fail the request, which answers 408, or 400 when Jetty, failing it, finds the body cut short.
     */
    private static final class TimeoutEndsBody extends Request.Wrapper {
        private final EndPoint connection;
        private final long idleTimeoutAfter;
        private final AtomicBoolean reading = new AtomicBoolean(true);

        TimeoutEndsBody(Request request, long timeoutMillis) {
            super(request);
            request.addIdleTimeoutListener(timeout -> false); // see above; later the servlet's listener decides
            connection = request.getConnectionMetaData().getConnection().getEndPoint();
            idleTimeoutAfter = connection.getIdleTimeout();
            // the body's time starts now: the idle time counts from the last read, that of the request's head,
            // and the request may have waited longer than the body timeout for a thread to get here
            if (connection instanceof IdleTimeout idle) idle.notIdle();
            connection.setIdleTimeout(timeoutMillis);
        }

        @Override
        public Content.Chunk read() {
            Content.Chunk chunk = super.read();
            if (chunk != null && Content.Chunk.isFailure(chunk, false)) {
                // the timeout may have expired with the next bytes received but not yet read (a busy server): only
                // a body with nothing more to read has stopped arriving
                Content.Chunk more = super.read();
                chunk = more != null ? more : Content.Chunk.from(chunk.getFailure(), true);
            }
            if (chunk != null && chunk.isLast()) ended(); // as soon as it is in, not once a thread takes the request
            return chunk;
        }

        /** The connection's own idle timeout is back: from here the application works and the response is written. */
        void ended() {
            if (reading.compareAndSet(true, false)) connection.setIdleTimeout(idleTimeoutAfter);
        }
    }

    /**
     * The callback the application completes. Success goes through Jetty's callback, which releases the body's
     * buffers the application did not read and completes the request. A failure does the same here, because
     * Jetty's would do nothing (see the class comment): the body is read to its end to release its buffers, and
     * the request's own callback fails, so Jetty aborts the response and closes the connection.
     */
    private static final class Completion implements Callback {
        private final Request withBody;
        private final Callback releasesBody;
        private final Callback request;

        Completion(Request withBody, Callback releasesBody, Callback request) {
            this.withBody = withBody;
            this.releasesBody = releasesBody;
            this.request = request;
        }

        @Override
        public void succeeded() {
            releasesBody.succeeded();
        }

        @Override
        public void failed(Throwable failure) {
            try {
                for (Content.Chunk chunk = withBody.read(); chunk != null; chunk = withBody.read()) {
                    chunk.release();
                    if (chunk.isLast()) break;
                }
            } finally {
                request.failed(failure);
            }
        }

        @Override
        public InvocationType getInvocationType() {
            return releasesBody.getInvocationType();
        }
    }
}
