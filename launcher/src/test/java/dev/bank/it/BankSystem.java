package dev.bank.it;

import dev.bank.gateway.GatewayApp;
import dev.bank.launcher.LocalBank;
import dev.bank.observability.Secret;
import dev.bank.processor.ProcessorApp;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;

/**
 * A whole bank for one integration test class, composed as {@code ./bank local} composes it ({@link LocalBank}): the
 * embedded KRaft broker, the topics, one processor and one gateway, started in that order, each once the part before
 * it is ready, and closed in reverse. It differs only in what a test needs: free ports, the tests' token issuer and
 * service credential ({@link BankStack}).
 */
public final class BankSystem implements AutoCloseable {
    private final Deque<AutoCloseable> parts;
    private final LocalBank bank;
    private final BankStack stack;

    private BankSystem(Deque<AutoCloseable> parts, LocalBank bank) {
        this.parts = parts;
        this.bank = bank;
        this.stack = new BankStack(bank.bootstrapServers());
    }

    public static BankSystem start(Path stateDir) throws Exception {
        return start(stateDir, Map.of(), 1);
    }

    /**
     * A bank whose parts also read {@code settings} ({@code BANK_*}, e.g. a short fraud review time-out), with
     * {@code processors} processor instances (each on its own query port; the gateway knows them all).
     */
    public static BankSystem start(Path stateDir, Map<String, String> settings, int processors) throws Exception {
        Deque<AutoCloseable> parts = new ArrayDeque<>();
        Map<String, String> env = new java.util.HashMap<>(settings);
        env.putAll(Map.of("BANK_QUERY_HOST", "127.0.0.1", "BANK_QUERY_PORT",
                String.valueOf(BankStack.freePort()), "BANK_GATEWAY_BIND_HOST", "127.0.0.1"));
        env.putIfAbsent("BANK_NOTIFIER_PORT", "0");
        try {
            LocalBank bank = LocalBank.start(new LocalBank.Options(stateDir, env, 0, 0, processors,
                    BankStack.issuerForTests(),
                    gateway -> gateway.withPort(0).withOutcomeTimeout(Duration.ofSeconds(20)), Duration.ofSeconds(90),
                    true, new Secret(BankStack.SERVICE_TOKEN)), new LocalBank.Parts() {
                        @Override
                        public <T extends AutoCloseable> T add(String name, T part) {
                            parts.push(part);
                            return part;
                        }
                    });
            return new BankSystem(parts, bank);
        } catch (Exception | Error e) {
            closeAll(parts);
            throw e;
        }
    }

    public BankStack stack() {
        return stack;
    }

    public ProcessorApp processor() {
        return bank.processors().get(0);
    }

    public java.util.List<ProcessorApp> processors() {
        return bank.processors();
    }

    public GatewayApp gateway() {
        return bank.gateway();
    }

    public dev.bank.notifier.NotifierApp notifier() {
        return bank.notifier();
    }

    public String bootstrapServers() {
        return bank.bootstrapServers();
    }

    /** The REST API, as a client sees it: the test customer ({@link BankStack#CUSTOMER}). */
    public Http http() {
        return stack.rest(gateway().port());
    }

    /** The REST API as an admin. */
    public Http admin() {
        return http().as(stack.adminToken());
    }

    /** The REST API with no token at all. */
    public Http anonymous() {
        return http().as(null);
    }

    /** The processor's query API (and its /metrics and /health), with the service credential. */
    public Http query() {
        return BankStack.query(processor().queryUrl());
    }

    @Override
    public void close() throws Exception {
        closeAll(parts);
    }

    private static void closeAll(Deque<AutoCloseable> parts) throws Exception {
        Exception first = null;
        while (!parts.isEmpty()) {
            try {
                parts.pop().close();
            } catch (Exception e) {
                if (first == null) first = e;
            }
        }
        if (first != null) throw first;
    }
}
