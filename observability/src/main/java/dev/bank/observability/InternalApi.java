package dev.bank.observability;

import dev.bank.schemas.Problem;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How our services talk to each other's internal query API: only with the service credential, a shared secret
 * ({@code BANK_SERVICE_TOKEN_FILE} or {@code BANK_SERVICE_TOKEN}) sent as a bearer token and compared in constant
 * time; and on whose behalf, in {@link #PRINCIPAL_HEADER} and {@link #ADMIN_HEADER}, so the processor answers only
 * about accounts that principal may see. A request without the credential is 401, whatever its path; health and
 * metrics stay open for operators.
 */
public final class InternalApi {
    /** The subject a question is asked for; absent: asked by a service for itself (every account). */
    public static final String PRINCIPAL_HEADER = "Bank-Principal";
    /** {@code true} when the principal is an admin (every account). */
    public static final String ADMIN_HEADER = "Bank-Admin";
    /**
     * The query parameter that marks a question not to be passed on to another instance: one instance forwarded it
     * to the owner, or a gateway sent it straight to the instance it takes for the owner. An instance that does not
     * own the account answers {@link #MISDIRECTED} instead of asking the owner.
     */
    public static final String NOT_PASSED_ON_PARAM = "forwarded";

    /** {@code path} (with any query string) marked {@link #NOT_PASSED_ON_PARAM}. */
    public static String notPassedOn(String path) {
        return path + (path.contains("?") ? "&" : "?") + NOT_PASSED_ON_PARAM + "=true";
    }

    /** The paths under the credential. */
    public static final String PREFIX = "/internal/";
    /**
     * The status of a question about an account asked of an instance that does not own it, when it was asked not to
     * pass it on (a forwarded question, or a gateway's direct read): 421 Misdirected Request, so the asker can tell
     * "ask the current owner" from "not ready" (503) and refresh what it knows of the owners.
     */
    public static final int MISDIRECTED = 421;

    private InternalApi() {}

    /**
     * The query API's routes, written once: the templates the processors serve and the paths their clients (the
     * gateway, a processor forwarding to the owner, the bench) ask.
     */
    public static final class Paths {
        public static final String ACCOUNT = PREFIX + "accounts/{accountId}";
        public static final String OUTCOME = ACCOUNT + "/transactions/{transactionId}";
        public static final String TRANSFER = ACCOUNT + "/transfers/{transferId}";
        /** The account's active holds. */
        public static final String HOLDS = ACCOUNT + "/holds";
        public static final String HOLD = ACCOUNT + "/holds/{holdId}";
        /** Query parameters from, to, limit and cursor. */
        public static final String HISTORY = ACCOUNT + "/history";
        /** {@code month} is {@code yyyy-MM}. */
        public static final String STATEMENT = ACCOUNT + "/statements/{month}";
        /**
         * The account's most recent events after a sequence, oldest first ({@code AccountEventPage}); query parameters
         * after (default 0) and limit.
         */
        public static final String EVENTS = ACCOUNT + "/events";
        /** The account's fraud reviews, oldest first; query parameters status and limit. */
        public static final String REVIEWS = ACCOUNT + "/reviews";
        /** One fraud review; its id is the held payment's transactionId. */
        public static final String REVIEW = ACCOUNT + "/reviews/{reviewId}";
        /**
         * The review queue: reviews of every account, across every processor instance, oldest first; query parameters
         * status (default PENDING) and limit. Asked of one instance, it asks the others for their partitions.
         */
        public static final String REVIEW_QUEUE = PREFIX + "reviews";
        public static final String HEALTH = PREFIX + "health";
        /**
         * Which instance holds which partition ({@code PartitionOwners}): every instance's query URL with its active
         * and standby partitions, the input topic's partition count and a version of the assignment.
         */
        public static final String PARTITIONS = PREFIX + "partitions";

        private Paths() {}

        public static String account(String accountId) {
            return PREFIX + "accounts/" + Urls.encode(accountId);
        }

        public static String outcome(String accountId, String transactionId) {
            return account(accountId) + "/transactions/" + Urls.encode(transactionId);
        }

        public static String transfer(String accountId, String transferId) {
            return account(accountId) + "/transfers/" + Urls.encode(transferId);
        }

        public static String holds(String accountId) {
            return account(accountId) + "/holds";
        }

        public static String hold(String accountId, String holdId) {
            return account(accountId) + "/holds/" + Urls.encode(holdId);
        }

        public static String history(String accountId, Map<String, String> params) {
            return account(accountId) + "/history" + Urls.query(params);
        }

        public static String statement(String accountId, String month) {
            return account(accountId) + "/statements/" + Urls.encode(month);
        }

        public static String events(String accountId, Map<String, String> params) {
            return account(accountId) + "/events" + Urls.query(params);
        }

        public static String reviews(String accountId, Map<String, String> params) {
            return account(accountId) + "/reviews" + Urls.query(params);
        }

        public static String review(String accountId, String reviewId) {
            return account(accountId) + "/reviews/" + Urls.encode(reviewId);
        }

        public static String reviewQueue(Map<String, String> params) {
            return REVIEW_QUEUE + Urls.query(params);
        }
    }

    /** Who a question is asked for: a principal, or (null) a service asking for itself. */
    public record Viewer(String principal, boolean admin) {
        public static final Viewer SERVICE = new Viewer(null, true);

        /** Whether this viewer may see an account that belongs to {@code owner} (null: an account with no owner). */
        public boolean maySee(String owner) {
            return admin || principal == null || (owner != null && owner.equals(principal));
        }

        /** The headers that carry this viewer to the query API. */
        public Map<String, String> headers() {
            Map<String, String> headers = new LinkedHashMap<>();
            if (principal != null) headers.put(PRINCIPAL_HEADER, principal);
            if (admin && principal != null) headers.put(ADMIN_HEADER, "true");
            return headers;
        }

        public static Viewer of(Context ctx) {
            String principal = ctx.header(PRINCIPAL_HEADER);
            if (principal == null) return SERVICE;
            return new Viewer(principal, "true".equals(ctx.header(ADMIN_HEADER)));
        }
    }

    /** The secret every service shares, from the environment; required (there is no unauthenticated mode). */
    public static String serviceToken(Map<String, String> env) {
        String file = env.get("BANK_SERVICE_TOKEN_FILE");
        String value = env.get("BANK_SERVICE_TOKEN");
        if (file != null && !file.isBlank()) {
            try {
                value = java.nio.file.Files.readString(java.nio.file.Path.of(file.trim()), StandardCharsets.UTF_8).trim();
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("cannot read BANK_SERVICE_TOKEN_FILE " + file, e);
            }
        }
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("set BANK_SERVICE_TOKEN_FILE (or BANK_SERVICE_TOKEN): the secret the "
                    + "gateway and the processors share for the internal query API (e.g. 32 random bytes in hex)");
        }
        if (value.trim().length() < 16) {
            throw new IllegalArgumentException("the service token must have at least 16 characters");
        }
        return value.trim();
    }

    /** A fresh random service token (for a bank run in one process). */
    public static String newServiceToken() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** The request headers of a call made with the service credential, for {@code viewer}. */
    public static Map<String, String> headers(String serviceToken, Viewer viewer) {
        Map<String, String> headers = new LinkedHashMap<>(viewer.headers());
        headers.put("Authorization", "Bearer " + serviceToken);
        return headers;
    }

    /** Refuses, with a 401 problem, any request under {@link #PREFIX} without the service credential. */
    public static void protect(JavalinConfig config, String serviceToken) {
        byte[] expected = ("Bearer " + serviceToken).getBytes(StandardCharsets.UTF_8);
        config.routes.before(ctx -> {
            if (!ctx.path().startsWith(PREFIX)) return;
            String given = ctx.header("Authorization");
            byte[] actual = given == null ? new byte[0] : given.getBytes(StandardCharsets.UTF_8);
            if (!MessageDigest.isEqual(expected, actual)) {
                ctx.header("WWW-Authenticate", "Bearer realm=\"bank-internal\"");
                HttpErrors.write(ctx, Problem.of(401, "Unauthorized",
                        "the internal API needs the service credential"));
                ctx.skipRemainingHandlers();
            }
        });
    }
}
