package dev.bank.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bank.gateway.auth.Scope;
import dev.bank.schemas.Command;
import dev.bank.schemas.CommandType;
import dev.bank.schemas.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bank workload ({@link BankWorkload}: its opens, credits, debits and transfers, retries included) sent as a client
 * sends it, over REST to the gateways, recording every request: which transactionId and amount went where, in which
 * fault phase, and what came back. An answer is {@link Answer#APPLIED} (2xx with the outcome), {@link Answer#REFUSED}
 * (a 4xx naming its reason, a transfer refunded), or {@link Answer#UNKNOWN}: a 202 (still in flight), a 5xx, a time-out
 * or a broken connection, after which the command may or may not have been applied. A client retries an unknown answer
 * once, with the same transactionId, on the other gateway, as a client behind a load balancer would; what is still
 * unknown after that is resolved at the end by asking for the transaction's outcome ({@link #resolve}).
 */
final class RestTraffic {
    private static final Logger log = LoggerFactory.getLogger(RestTraffic.class);

    /** What an answer says of a command; NEVER only from reading its outcome: the bank never received it. */
    enum Answer { APPLIED, REFUSED, UNKNOWN, NEVER, WRONG }

    /** One request and its answer. */
    record Attempt(String phase, String gateway, int status, Answer answer, String detail) {
        @Override
        public String toString() {
            return phase + "@" + gateway + ": " + (status == 0 ? "" : status + " ") + answer + " " + detail;
        }
    }

    /** A command the workload sent (one transactionId), with every request that carried it. */
    static final class Sent {
        final Command command;
        final List<Attempt> attempts = Collections.synchronizedList(new ArrayList<>());
        /** How the end resolved it: an answer of the transaction's outcome read afterwards. */
        volatile Answer resolved;
        volatile String resolvedDetail;

        Sent(Command command) {
            this.command = command;
        }

        List<Attempt> attempts() {
            synchronized (attempts) {
                return List.copyOf(attempts);
            }
        }

        /** What the definite answers say (they must agree), or UNKNOWN when every answer was unknown. */
        Answer answered() {
            return attempts().stream().map(Attempt::answer).filter(RestTraffic::definite).findFirst()
                    .orElse(Answer.UNKNOWN);
        }

        @Override
        public String toString() {
            return command.type() + " " + command.transactionId() + " of " + command.amount() + " on "
                    + command.accountId() + (command.toAccountId() == null ? "" : " to " + command.toAccountId())
                    + ", answered " + attempts() + (resolved == null ? "" : ", resolved " + resolved + " "
                    + resolvedDetail);
        }
    }

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1).build();
    private final List<String> gateways;
    private final String token = BankStack.token(BankWorkload.CUSTOMER, Scope.READ, Scope.WRITE);
    private final Duration requestTimeout;
    /** Every command sent, by account/transactionId, in the order first sent. */
    private final Map<String, Sent> sent = Collections.synchronizedMap(new java.util.LinkedHashMap<>());
    private final AtomicInteger next = new AtomicInteger();

    RestTraffic(List<String> gatewayUrls, Duration requestTimeout) {
        this.gateways = List.copyOf(gatewayUrls);
        this.requestTimeout = requestTimeout;
    }

    /** The commands of the workload this client sends: the customer's opens, credits, debits and one-currency transfers. */
    static boolean sendable(Command c) {
        return BankWorkload.CUSTOMER.equals(c.principal()) && c.fx() == null && switch (c.type()) {
            case OPEN_ACCOUNT, CREDIT, DEBIT, TRANSFER -> true;
            default -> false;
        };
    }

    Map<String, Sent> sent() {
        synchronized (sent) {
            return new java.util.LinkedHashMap<>(sent);
        }
    }

    static boolean definite(Answer a) {
        return a == Answer.APPLIED || a == Answer.REFUSED || a == Answer.NEVER;
    }

    static String key(Command c) {
        return c.accountId() + "/" + c.transactionId();
    }

    /**
     * Sends {@code batch} (the sendable ones) at about {@code perSecond}, at most {@code inFlight} at once, spread over
     * the gateways, for at most {@code window}: what is not sent by then is dropped, so a slow bank (or a slow machine)
     * makes a phase send less, not last longer. Returns once every request sent is answered (or timed out); how many
     * went out.
     */
    int run(String phase, List<Command> batch, int perSecond, int inFlight, Duration window) throws InterruptedException {
        List<Command> commands = batch.stream().filter(RestTraffic::sendable).toList();
        ExecutorService pool = Executors.newFixedThreadPool(inFlight);
        Semaphore slots = new Semaphore(inFlight);
        long start = System.nanoTime();
        long end = start + window.toNanos();
        int issued = 0;
        try {
            for (Command c : commands) {
                long due = start + issued * 1_000_000_000L / perSecond;
                long wait = due - System.nanoTime();
                if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
                if (!slots.tryAcquire(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS)) break;
                issued++;
                pool.execute(() -> {
                    try {
                        send(phase, c);
                    } finally {
                        slots.release();
                    }
                });
                if (System.nanoTime() > end) break;
            }
            // each request times out, and is retried at most once: past this the client itself is stuck
            Duration bound = requestTimeout.multipliedBy(2).plusSeconds(10);
            if (!slots.tryAcquire(inFlight, bound.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new AssertionError(phase + ": requests still unanswered " + bound + " after the last was sent");
            }
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(5, TimeUnit.SECONDS);
        }
        if (issued < commands.size()) {
            log.info("{}: sent {} of {} operations within {} ({} in flight at most)", phase, issued, commands.size(),
                    window, inFlight);
        }
        return issued;
    }

    /** One command: to the next gateway in turn; an unknown answer is retried once on the other. */
    Attempt send(String phase, Command c) {
        Sent s;
        synchronized (sent) {
            s = sent.computeIfAbsent(key(c), k -> new Sent(c));
        }
        int g = Math.floorMod(next.getAndIncrement(), gateways.size());
        Attempt a = attempt(phase, c, g);
        s.attempts.add(a);
        // a 202 went in (its outcome is awaited at the end); anything else unknown may not have: send it again
        if (a.answer() == Answer.UNKNOWN && a.status() != 202 && gateways.size() > 1) {
            sleep(300);
            a = attempt(phase + " (retry)", c, (g + 1) % gateways.size());
            s.attempts.add(a);
        }
        return a;
    }

    /** Sends {@code c} until a definite answer, up to {@code timeout}: a probe that the bank answers again. */
    Attempt sendUntilAnswered(String phase, Command c, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Attempt a;
        do {
            a = send(phase, c);
            if (a.answer() != Answer.UNKNOWN) return a;
            sleep(500);
        } while (System.nanoTime() < deadline);
        return a;
    }

    private Attempt attempt(String phase, Command c, int g) {
        String base = gateways.get(g);
        String gateway = "gateway" + (g + 1);
        ObjectNode body = Json.MAPPER.createObjectNode();
        String path;
        switch (c.type()) {
            case OPEN_ACCOUNT -> {
                path = "/accounts";
                body.put("accountId", c.accountId()).put("currency", c.currency()).put("initialDeposit", c.amount());
            }
            case CREDIT, DEBIT -> {
                path = "/transaction";
                body.put("accountId", c.accountId()).put("amount", c.amount())
                        .put("type", c.type().name().toLowerCase());
            }
            case TRANSFER -> {
                path = "/transfers";
                body.put("fromAccountId", c.accountId()).put("toAccountId", c.toAccountId()).put("amount", c.amount());
                if (c.reference() != null) body.put("reference", c.reference());
            }
            default -> throw new IllegalArgumentException("not sent over REST: " + c.type());
        }
        body.put("transactionId", c.transactionId());
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).timeout(requestTimeout)
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        return exchange(phase, gateway, c, request);
    }

    private Attempt exchange(String phase, String gateway, Command c, HttpRequest request) {
        try {
            HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
            return classify(phase, gateway, c, r.statusCode(), r.body());
        } catch (IOException e) {
            // connection refused, reset, or no answer in time: the command may or may not have gone in
            return new Attempt(phase, gateway, 0, Answer.UNKNOWN, e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Attempt(phase, gateway, 0, Answer.UNKNOWN, "interrupted");
        }
    }

    /**
     * What an answer (to the command, or to the read of its outcome afterwards: the gateway answers both alike) says
     * about whether the command was applied.
     */
    static Attempt classify(String phase, String gateway, Command c, int status, String text) {
        JsonNode body;
        try {
            body = text == null || text.isBlank() ? Json.MAPPER.nullNode() : Json.MAPPER.readTree(text);
        } catch (IOException e) {
            return new Attempt(phase, gateway, status, status >= 500 ? Answer.UNKNOWN : Answer.WRONG,
                    "unreadable body " + excerpt(text));
        }
        String transferStatus = body.path("transferStatus").asText("");
        String reason = body.path("reason").asText("");
        String detail = !reason.isEmpty() ? reason : !transferStatus.isEmpty() ? transferStatus
                : body.path("title").asText(body.path("status").asText(""));
        if (!body.path("transactionId").isMissingNode() && !c.transactionId().equals(body.path("transactionId").asText())
                && !c.transactionId().equals(body.path("transferId").asText())) {
            return new Attempt(phase, gateway, status, Answer.WRONG, "the answer of another transaction: "
                    + excerpt(text));
        }
        if (status == 200 || status == 201) {
            if (c.type() == CommandType.TRANSFER && !"COMPLETED".equals(transferStatus)) {
                return new Attempt(phase, gateway, status, Answer.WRONG, "a transfer answered 2xx " + excerpt(text));
            }
            return new Attempt(phase, gateway, status, Answer.APPLIED, detail);
        }
        if (status == 202 || status == 429 || status >= 500) {
            return new Attempt(phase, gateway, status, Answer.UNKNOWN, detail);
        }
        if ((status == 404 || status == 409 || status == 422) && !reason.isEmpty()) {
            return new Attempt(phase, gateway, status, Answer.REFUSED, detail);
        }
        if (status == 400 && c.type() == CommandType.TRANSFER && c.accountId().equals(c.toAccountId())) {
            // refused by the gateway itself: it never reaches the bank
            return new Attempt(phase, gateway, status, Answer.NEVER, "a transfer to its own account: " + detail);
        }
        return new Attempt(phase, gateway, status, Answer.WRONG, excerpt(text));
    }

    /**
     * Asks for the outcome of every command no request got a definite answer for, through the gateways, until each
     * is applied, refused, or "Not processed" (never reached the bank), within {@code timeout}.
     */
    void resolve(Duration timeout) {
        List<Sent> open = sent().values().stream().filter(s -> s.answered() == Answer.UNKNOWN).toList();
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Sent s : open) {
            Command c = s.command;
            String path = "/accounts/" + c.accountId() + "/transactions/" + c.transactionId();
            int g = 0;
            while (true) {
                HttpRequest request = HttpRequest.newBuilder(URI.create(gateways.get(g % gateways.size()) + path))
                        .timeout(requestTimeout).header("Authorization", "Bearer " + token).GET().build();
                Attempt a;
                try {
                    HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
                    a = r.statusCode() == 404 && r.body().contains("\"Not processed\"")
                            ? new Attempt("resolve", "gateway" + (g % gateways.size() + 1), 404, Answer.NEVER,
                                    "Not processed")
                            : classify("resolve", "gateway" + (g % gateways.size() + 1), c, r.statusCode(), r.body());
                } catch (IOException e) {
                    a = new Attempt("resolve", "gateway", 0, Answer.UNKNOWN, e.toString());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                if (a.answer() != Answer.UNKNOWN || System.nanoTime() > deadline) {
                    s.resolved = a.answer();
                    s.resolvedDetail = a.toString();
                    break;
                }
                g++;
                sleep(500);
            }
        }
        Map<String, Integer> how = new TreeMap<>();
        open.forEach(s -> how.merge(String.valueOf(s.resolved), 1, Integer::sum));
        log.info("resolved the {} commands no request had a definite answer for, by reading their outcome: {}",
                open.size(), how);
    }

    /** Answers by phase and kind, for the log. */
    Map<String, Map<String, Integer>> summary() {
        Map<String, Map<String, Integer>> byPhase = new TreeMap<>();
        for (Sent s : sent().values()) {
            for (Attempt a : s.attempts()) {
                String phase = a.phase().replace(" (retry)", "");
                String what = a.answer() + (a.answer() == Answer.UNKNOWN ? "/" + (a.status() == 0 ? a.detail() : a.status()) : "");
                byPhase.computeIfAbsent(phase, k -> new TreeMap<>()).merge(what, 1, Integer::sum);
            }
        }
        return byPhase;
    }

    private static String excerpt(String text) {
        return text == null ? "" : text.length() > 300 ? text.substring(0, 300) + "…" : text;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
