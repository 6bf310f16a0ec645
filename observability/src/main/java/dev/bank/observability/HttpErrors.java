package dev.bank.observability;

import dev.bank.schemas.Json;
import dev.bank.schemas.Problem;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import org.eclipse.jetty.http.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Every error either service answers is a problem document (RFC 9457, {@code application/problem+json}), whoever
 * raises it: Jetty before a request reaches a route (a malformed URI, a request line or headers too large),
 * Javalin's router (no route: 404; a path without the method: 405 with {@code Allow}), Javalin's response
 * exceptions (413 above the body limit), a 4xx Jetty raises while a handler reads the request, and anything else
 * as a 500, logged, because then it is a bug of ours and not the client's error. A service adds handlers for its
 * own exceptions; this is the floor beneath them.
 */
public final class HttpErrors {
    private static final Logger log = LoggerFactory.getLogger(HttpErrors.class);

    private HttpErrors() {}

    public static void install(JavalinConfig config) {
        config.http.prefer405over404 = true;
        ProblemErrorHandler jetty = new ProblemErrorHandler();
        config.jetty.modifyServer(server -> server.setErrorHandler(jetty));
        config.jetty.modifyServletContextHandler(context -> context.setErrorHandler(jetty));
        config.routes.exception(HttpResponseException.class, HttpErrors::responseException);
        config.routes.exception(Exception.class, HttpErrors::unexpected);
        // Javalin answers some errors itself with a status and no body (a request whose body stopped arriving is a
        // 408); any error status that ends without a problem document gets one here
        for (int status = 400; status < 600; status++) config.routes.error(status, "*", HttpErrors::bodyless);
        config.router.javaLangErrorHandler((response, error) -> {
            log.error("error while answering a request", error);
            try {
                response.setStatus(500);
                response.setContentType(Problem.CONTENT_TYPE);
                response.getOutputStream().write(Json.bytes(internalError()));
            } catch (IOException | RuntimeException e) {
                log.warn("could not answer after an error: {}", e.toString());
            }
        });
    }

    /** Writes a problem as the answer, its status the HTTP status and its instance the request's path. */
    public static void write(Context ctx, Problem problem) {
        ctx.status(problem.status()).contentType(Problem.CONTENT_TYPE)
                .result(Json.bytes(problem.withInstance(ctx.path())));
    }

    private static void bodyless(Context ctx) {
        if (ctx.resultInputStream() != null) return; // answered already, e.g. /health/ready's 503 with its checks
        int status = ctx.statusCode();
        String detail = status == 408 ? "the request stopped arriving; send it again" : title(status);
        write(ctx, Problem.of(status, title(status), detail));
    }

    /** The standard title of a status: "Not Found" for 404. */
    static String title(int status) {
        String message = HttpStatus.forStatus(status).getMessage();
        return message.isEmpty() || HttpStatus.forStatus(status) == HttpStatus.UNKNOWN
                ? org.eclipse.jetty.http.HttpStatus.getMessage(status) : message;
    }

    private static void responseException(HttpResponseException e, Context ctx) {
        int status = e.getStatus();
        if (status < 400) { // a redirect and the like: not an error, keep Javalin's meaning
            ctx.status(status);
            return;
        }
        String detail;
        switch (status) {
            case 404 -> detail = "there is nothing at this path";
            case 405 -> {
                String allow = allowed(e);
                ctx.header("Allow", allow);
                detail = "this path answers " + allow + " only";
            }
            case 413 -> detail = "the request body is larger than this service accepts";
            default -> detail = Problem.excerpt(e.getMessage());
        }
        write(ctx, Problem.of(status, title(status), detail));
    }

    /** The methods of a 405, as Javalin found them; HEAD wherever GET is, since Javalin answers HEAD for GET routes. */
    private static String allowed(HttpResponseException e) {
        Set<String> methods = new LinkedHashSet<>();
        for (String found : e.getDetails().values()) {
            Arrays.stream(found.split(",")).map(String::trim).filter(m -> !m.isEmpty()).forEach(methods::add);
        }
        if (methods.contains("GET")) methods.add("HEAD");
        return String.join(", ", methods);
    }

    private static void unexpected(Exception e, Context ctx) {
        HttpException client = clientError(e);
        if (client != null) {
            write(ctx, Problem.of(client.getCode(), title(client.getCode()), Problem.excerpt(client.getReason())));
            return;
        }
        log.error("unexpected error on {} {}", ctx.method(), Problem.excerpt(ctx.path()), e);
        write(ctx, internalError());
    }

    /** A 4xx Jetty raised while the request was read (e.g. a query string that is not UTF-8), or null. */
    private static HttpException clientError(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof HttpException h && h.getCode() >= 400 && h.getCode() < 500) return h;
        }
        return null;
    }

    private static Problem internalError() {
        return Problem.of(500, "Internal Server Error", "an unexpected error occurred; it has been logged");
    }
}
