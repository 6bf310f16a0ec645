package dev.bank.notifier;

import dev.bank.observability.WebhookTargets;
import dev.bank.schemas.WebhookSubscription;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One delivery attempt: the SSRF check of the subscription's URL (its host resolved again now, {@link WebhookTargets}),
 * then a signed POST with a time limit. Redirects are never followed (a 3xx is a failure), no proxy is used, and the
 * answer's body is not read. Success is any 2xx, as Standard Webhooks has it; anything else is a failure to retry.
 */
final class Deliverer {
    static final String USER_AGENT = "bank-notifier/1 (Standard Webhooks)";

    /** How an attempt ended: delivered, or why not (the HTTP status when there was one). */
    record Attempt(boolean delivered, Integer status, String error, String result) {
        static Attempt failed(String result, String error) {
            return new Attempt(false, null, error, result);
        }
    }

    private final WebhookTargets targets;
    private final HttpClient client;
    private final Duration requestTimeout;
    private final Clock clock;

    Deliverer(WebhookTargets targets, Duration connectTimeout, Duration requestTimeout, Clock clock) {
        this.targets = targets;
        this.requestTimeout = requestTimeout;
        this.clock = clock;
        this.client = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .proxy(HttpClient.Builder.NO_PROXY)
                .connectTimeout(connectTimeout)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /** Delivers {@code body} to the subscription's endpoint, signed for {@code webhookId}. Blocks up to the timeout. */
    Attempt deliver(WebhookSubscription subscription, String webhookId, byte[] body) {
        WebhookTargets.Verdict verdict = targets.check(subscription.url());
        if (!verdict.allowed()) return Attempt.failed("refused_target", "target refused: " + verdict.refusal());
        long timestamp = clock.millis() / 1000;
        HttpRequest request = HttpRequest.newBuilder(verdict.uri())
                .timeout(requestTimeout)
                .header("Content-Type", "application/json")
                .header("User-Agent", USER_AGENT)
                .header("webhook-id", webhookId)
                .header("webhook-timestamp", String.valueOf(timestamp))
                .header("webhook-signature", new Signer(subscription.secret()).sign(webhookId, timestamp, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        CompletableFuture<HttpResponse<Void>> sent = client.sendAsync(request, HttpResponse.BodyHandlers.discarding());
        try {
            // the request's own timeout covers the answer's head; this one also a body that trickles
            int status = sent.get(requestTimeout.toMillis() + 1_000, TimeUnit.MILLISECONDS).statusCode();
            return status >= 200 && status < 300 ? new Attempt(true, status, null, "delivered")
                    : new Attempt(false, status, "HTTP " + status, "http_error");
        } catch (TimeoutException e) {
            sent.cancel(true);
            return Attempt.failed("timeout", "timed out after " + requestTimeout);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof HttpTimeoutException) {
                return Attempt.failed("timeout", "timed out after " + requestTimeout);
            }
            String message = cause.getMessage() == null ? "" : ": " + cause.getMessage();
            return Attempt.failed("connection_error", (cause instanceof IOException ? "connection failed: " : "failed: ")
                    + cause.getClass().getSimpleName() + (message.length() > 200 ? message.substring(0, 200) : message));
        } catch (InterruptedException e) {
            sent.cancel(true);
            Thread.currentThread().interrupt();
            return Attempt.failed("interrupted", "the notifier is stopping");
        }
    }
}
