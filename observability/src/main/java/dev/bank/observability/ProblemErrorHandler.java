package dev.bank.observability;

import dev.bank.schemas.Json;
import dev.bank.schemas.Problem;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;

/**
 * Jetty's errors as problem documents instead of its HTML pages: those it answers before a request reaches
 * Javalin (400 for a URI that is not valid UTF-8 or holds a NUL, 414 for a request line too long, 431 for headers
 * too large) and any it answers for the servlet. Jetty's own message says what was wrong with the request; it
 * names no value of the client's, and is cut short anyway.
 */
final class ProblemErrorHandler extends ErrorHandler {
    @Override
    public boolean errorPageForMethod(String method) {
        return true; // a PUT with a broken URI gets a body as well as a GET
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) {
        String title = HttpErrors.title(code);
        String detail = message == null || message.isBlank() ? title : Problem.excerpt(message);
        byte[] body = Json.bytes(Problem.of(code, title, detail));
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problem.CONTENT_TYPE);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }
}
