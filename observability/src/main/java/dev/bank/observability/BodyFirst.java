package dev.bank.observability;

import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.EagerContentHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Hands a request to the application only once its body is in, read as it arrives without holding a thread.
 * Javalin reads bodies blocking, so otherwise every client that sends its body slowly, or not at all, holds one
 * of {@link HttpListener#MAX_THREADS} server threads, and a few dozen such clients stall the service. Jetty's
 * {@link EagerContentHandler} does the reading; this adds that a body which stops arriving (Jetty's idle timeout)
 * ends the wait at once: the application then reads the failure and answers 408, instead of the request waiting,
 * unanswered, for as long as the client keeps the connection.
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

    /** @param maxBytes a body beyond this is handed on as soon as it is that large (the application refuses it) */
    BodyFirst(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    static Handler.Wrapper handler(long maxBodyBytes) {
        return new EagerContentHandler(new BodyFirst(maxBodyBytes + 1));
    }

    @Override
    public String getApplicableMimeType() {
        return null; // every content type
    }

    @Override
    public EagerContentHandler.ContentLoader newContentLoader(String contentType, String mimeType, Handler handler,
                                                              Request request, Response response, Callback callback) {
        return new EagerContentHandler.RetainedContentLoaderFactory.RetainedContentLoader(handler,
                new TimeoutEndsBody(request), response, callback, maxBytes, 0, false) {
            @Override
            protected void handle(Request withBody, Response response, Callback releasesBody) {
                super.handle(withBody, response, new Completion(withBody, releasesBody, callback));
            }
        };
    }

    /** A read that timed out is the body's end: the loader stops waiting and hands the request on. */
    private static final class TimeoutEndsBody extends Request.Wrapper {
        TimeoutEndsBody(Request request) {
            super(request);
        }

        @Override
        public Content.Chunk read() {
            Content.Chunk chunk = super.read();
            return chunk != null && Content.Chunk.isFailure(chunk, false)
                    ? Content.Chunk.from(chunk.getFailure(), true) : chunk;
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
