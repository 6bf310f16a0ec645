package dev.bank.it;

import dev.bank.gateway.GatewayApp;
import dev.bank.processor.ProcessorApp;

import java.nio.file.Path;
import java.util.List;

/**
 * A whole bank for one integration test class: a real Kafka cluster, the topics, one processor and one
 * gateway, started in that order with production code and closed in reverse.
 */
public final class BankSystem implements AutoCloseable {
    private final TestKafkaCluster kafka;
    private final BankStack stack;
    private final ProcessorApp processor;
    private final GatewayApp gateway;

    private BankSystem(TestKafkaCluster kafka, BankStack stack, ProcessorApp processor, GatewayApp gateway) {
        this.kafka = kafka;
        this.stack = stack;
        this.processor = processor;
        this.gateway = gateway;
    }

    public static BankSystem start(Path stateDir) throws Exception {
        TestKafkaCluster kafka = TestKafkaCluster.start(1);
        ProcessorApp processor = null;
        try {
            BankStack stack = new BankStack(kafka.bootstrapServers());
            processor = stack.startProcessor(stack.processorConfig(stateDir));
            GatewayApp gateway = stack.startGateway(List.of(processor.queryUrl()));
            return new BankSystem(kafka, stack, processor, gateway);
        } catch (Exception | Error e) {
            if (processor != null) processor.close();
            kafka.close();
            throw e;
        }
    }

    public BankStack stack() {
        return stack;
    }

    public ProcessorApp processor() {
        return processor;
    }

    public GatewayApp gateway() {
        return gateway;
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    /** The REST API, as a client sees it: the test customer ({@link BankStack#CUSTOMER}). */
    public Http http() {
        return stack.rest(gateway.port());
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
        return BankStack.query(processor.queryUrl());
    }

    @Override
    public void close() throws Exception {
        gateway.close();
        processor.close();
        kafka.close();
    }
}
