package dev.bank.observability;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;

/**
 * How every Kafka client of every service authenticates, read once from the environment: one place, so the
 * Streams clients, the gateway's producer and consumer and the Admin clients can never disagree.
 * <ul>
 *   <li>{@code BANK_KAFKA_SECURITY_PROTOCOL}: {@code PLAINTEXT} (default), {@code SASL_PLAINTEXT} or
 *       {@code SASL_SSL} (SASL_SSL trusts the JVM's default trust store);</li>
 *   <li>{@code BANK_KAFKA_SASL_MECHANISM}: {@code SCRAM-SHA-512} (default), {@code SCRAM-SHA-256} or {@code PLAIN};</li>
 *   <li>{@code BANK_KAFKA_USERNAME};</li>
 *   <li>{@code BANK_KAFKA_PASSWORD_FILE} (preferred: a file such as a Docker secret, trailing line breaks ignored)
 *       or {@code BANK_KAFKA_PASSWORD}; setting both is an error rather than a guess.</li>
 * </ul>
 * A username without SASL is refused too: a service meant to authenticate must not quietly run anonymous.
 * The password never appears in {@link #toString()}, so logging this record is safe.
 */
public record KafkaSecurity(Protocol protocol, String mechanism, String username, String password) {

    public enum Protocol { PLAINTEXT, SASL_PLAINTEXT, SASL_SSL }

    public static final String DEFAULT_MECHANISM = "SCRAM-SHA-512";
    /** No authentication: what {@code ./bank local} and the tests on an open broker use. */
    public static final KafkaSecurity PLAINTEXT = new KafkaSecurity(Protocol.PLAINTEXT, null, null, null);

    private static final Set<String> MECHANISMS = Set.of("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN");

    public KafkaSecurity {
        Objects.requireNonNull(protocol, "protocol");
        if (protocol == Protocol.PLAINTEXT) {
            if (username != null || password != null || mechanism != null) {
                throw new IllegalArgumentException("Kafka credentials are set but BANK_KAFKA_SECURITY_PROTOCOL is"
                        + " PLAINTEXT; set it to SASL_PLAINTEXT or SASL_SSL");
            }
        } else {
            if (mechanism == null || !MECHANISMS.contains(mechanism)) {
                throw new IllegalArgumentException("BANK_KAFKA_SASL_MECHANISM must be one of " + MECHANISMS
                        + ", not " + mechanism);
            }
            if (username == null || username.isBlank()) {
                throw new IllegalArgumentException(protocol + " needs BANK_KAFKA_USERNAME");
            }
            if (password == null || password.isEmpty()) {
                throw new IllegalArgumentException(protocol + " needs BANK_KAFKA_PASSWORD_FILE or BANK_KAFKA_PASSWORD");
            }
        }
    }

    /** SASL with SCRAM-SHA-512 over an unencrypted connection: the compose deployment's client listener. */
    public static KafkaSecurity scram(String username, String password) {
        return new KafkaSecurity(Protocol.SASL_PLAINTEXT, DEFAULT_MECHANISM, username, password);
    }

    public static KafkaSecurity fromEnv(Map<String, String> env) {
        String protocolName = blankToNull(env.get("BANK_KAFKA_SECURITY_PROTOCOL"));
        Protocol protocol;
        try {
            protocol = protocolName == null ? Protocol.PLAINTEXT
                    : Protocol.valueOf(protocolName.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("BANK_KAFKA_SECURITY_PROTOCOL must be one of PLAINTEXT,"
                    + " SASL_PLAINTEXT, SASL_SSL, not " + protocolName, e);
        }
        String mechanism = blankToNull(env.get("BANK_KAFKA_SASL_MECHANISM"));
        if (mechanism == null && protocol != Protocol.PLAINTEXT) {
            mechanism = DEFAULT_MECHANISM;
        }
        String passwordFile = blankToNull(env.get("BANK_KAFKA_PASSWORD_FILE"));
        String password = env.get("BANK_KAFKA_PASSWORD");
        if (passwordFile != null && password != null && !password.isEmpty()) {
            throw new IllegalArgumentException("set BANK_KAFKA_PASSWORD_FILE or BANK_KAFKA_PASSWORD, not both");
        }
        if (passwordFile != null) {
            password = readSecret(Path.of(passwordFile));
        }
        return new KafkaSecurity(protocol, mechanism == null ? null : mechanism.toUpperCase(Locale.ROOT),
                blankToNull(env.get("BANK_KAFKA_USERNAME")), password == null || password.isEmpty() ? null : password);
    }

    /**
     * A secret from a file, without the line break(s) an editor or {@code echo} leaves at the end. Also used for
     * the SCRAM passwords {@code bank acls} sets.
     */
    public static String readSecret(Path file) {
        try {
            String s = Files.readString(file, StandardCharsets.UTF_8);
            int end = s.length();
            while (end > 0 && (s.charAt(end - 1) == '\n' || s.charAt(end - 1) == '\r')) end--;
            return s.substring(0, end);
        } catch (IOException e) {
            // the path is not secret; the content is never put in a message
            throw new UncheckedIOException("cannot read the secret file " + file, e);
        }
    }

    public boolean authenticates() {
        return protocol != Protocol.PLAINTEXT;
    }

    /** The client settings: {@code security.protocol}, and with SASL {@code sasl.mechanism} and {@code sasl.jaas.config}. */
    public Map<String, Object> clientProperties() {
        if (!authenticates()) {
            return Map.of(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, protocol.name());
        }
        String module = mechanism.equals("PLAIN") ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                : "org.apache.kafka.common.security.scram.ScramLoginModule";
        return Map.of(
                CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, protocol.name(),
                SaslConfigs.SASL_MECHANISM, mechanism,
                SaslConfigs.SASL_JAAS_CONFIG, module + " required username=\"" + jaasQuoted(username)
                        + "\" password=\"" + jaasQuoted(password) + "\";");
    }

    /** A copy of a client's configuration with {@link #clientProperties()} added. */
    public Map<String, Object> withClientProperties(Map<String, Object> config) {
        Map<String, Object> copy = new HashMap<>(config);
        copy.putAll(clientProperties());
        return copy;
    }

    /** Adds {@link #clientProperties()} to a client's configuration and returns it. */
    public Properties applyTo(Properties config) {
        config.putAll(clientProperties());
        return config;
    }

    @Override
    public String toString() {
        return authenticates()
                ? "KafkaSecurity[" + protocol + " " + mechanism + " as " + username + ", password ******]"
                : "KafkaSecurity[PLAINTEXT, no authentication]";
    }

    /** Kafka parses sasl.jaas.config with a tokenizer that honours backslash escapes inside double quotes. */
    private static String jaasQuoted(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private static String blankToNull(String v) {
        return v == null || v.isBlank() ? null : v.trim();
    }
}
