package dev.bank.gateway.config;

import dev.bank.gateway.auth.ApiSecurity;
import dev.bank.observability.KafkaSecurity;
import dev.bank.schemas.Topics;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The gateway's whole configuration: defaults, overridden by environment variables (documented in docs/operations.md).
 *
 * @param processorUrls  base URLs of processor query APIs; any instance answers any account, the rest are
 *                       tried in order when one is down
 * @param outcomeTimeout how long {@code POST /transaction} waits for the outcome before answering 202
 * @param kafkaTimeout   how long a publish may take before the gateway answers 503
 * @param kafkaSecurity  how the gateway's producer and results consumer authenticate
 * @param api            how the REST API authenticates and limits its callers ({@link ApiSecurity})
 * @param webhooks       where webhooks may go and how many one principal may have ({@link WebhookSettings})
 * @param events         the live event streams ({@link LiveEventsConfig})
 * @param directReads    reads sent straight to the account's owner ({@link DirectReadsConfig})
 * @param replies        which partition of the replies topic this instance reads ({@link ReplySettings})
 */
public record GatewayConfig(String bootstrapServers, Topics topics, String bindHost, int port,
                            List<String> processorUrls, Duration outcomeTimeout, Duration kafkaTimeout,
                            KafkaSecurity kafkaSecurity, ApiSecurity api, WebhookSettings webhooks,
                            LiveEventsConfig events, DirectReadsConfig directReads,
                            ReplySettings replies) {

    public GatewayConfig {
        processorUrls = List.copyOf(processorUrls);
    }

    public static GatewayConfig fromEnv(Map<String, String> env) {
        return new GatewayConfig(
                env.getOrDefault("BANK_BOOTSTRAP_SERVERS", "localhost:9092"),
                Topics.fromEnv(env),
                env.getOrDefault("BANK_GATEWAY_BIND_HOST", "0.0.0.0"),
                Integer.parseInt(env.getOrDefault("BANK_GATEWAY_PORT", "8080")),
                Arrays.stream(env.getOrDefault("BANK_PROCESSOR_URLS", "http://localhost:8081").split(","))
                        .map(String::trim).filter(s -> !s.isEmpty()).toList(),
                Duration.parse(env.getOrDefault("BANK_OUTCOME_TIMEOUT", "PT5S")),
                Duration.parse(env.getOrDefault("BANK_KAFKA_TIMEOUT", "PT5S")),
                KafkaSecurity.fromEnv(env),
                ApiSecurity.fromEnv(env),
                WebhookSettings.fromEnv(env),
                LiveEventsConfig.fromEnv(env),
                DirectReadsConfig.fromEnv(env),
                ReplySettings.fromEnv(env));
    }

    public GatewayConfig withApi(ApiSecurity newApi) {
        return new GatewayConfig(bootstrapServers, topics, bindHost, port, processorUrls, outcomeTimeout, kafkaTimeout,
                kafkaSecurity, newApi, webhooks, events, directReads, replies);
    }

    public GatewayConfig withBootstrapServers(String servers) {
        return new GatewayConfig(servers, topics, bindHost, port, processorUrls, outcomeTimeout, kafkaTimeout,
                kafkaSecurity, api, webhooks, events, directReads, replies);
    }

    public GatewayConfig withProcessorUrls(List<String> urls) {
        return new GatewayConfig(bootstrapServers, topics, bindHost, port, urls, outcomeTimeout, kafkaTimeout,
                kafkaSecurity, api, webhooks, events, directReads, replies);
    }

    public GatewayConfig withPort(int newPort) {
        return new GatewayConfig(bootstrapServers, topics, bindHost, newPort, processorUrls, outcomeTimeout,
                kafkaTimeout, kafkaSecurity, api, webhooks, events, directReads, replies);
    }

    public GatewayConfig withKafkaTimeout(Duration timeout) {
        return new GatewayConfig(bootstrapServers, topics, bindHost, port, processorUrls, outcomeTimeout, timeout,
                kafkaSecurity, api, webhooks, events, directReads, replies);
    }

    public GatewayConfig withKafkaSecurity(KafkaSecurity security) {
        return new GatewayConfig(bootstrapServers, topics, bindHost, port, processorUrls, outcomeTimeout, kafkaTimeout,
                security, api, webhooks, events, directReads, replies);
    }

    public GatewayConfig withOutcomeTimeout(Duration timeout) {
        return new GatewayConfig(bootstrapServers, topics, bindHost, port, processorUrls, timeout, kafkaTimeout,
                kafkaSecurity, api, webhooks, events, directReads, replies);
    }

    public GatewayConfig withWebhooks(WebhookSettings settings) {
        return new GatewayConfig(bootstrapServers, topics, bindHost, port, processorUrls, outcomeTimeout, kafkaTimeout,
                kafkaSecurity, api, settings, events, directReads, replies);
    }

    public GatewayConfig withDirectReads(DirectReadsConfig settings) {
        return new GatewayConfig(bootstrapServers, topics, bindHost, port, processorUrls, outcomeTimeout, kafkaTimeout,
                kafkaSecurity, api, webhooks, events, settings, replies);
    }

    public GatewayConfig withEvents(LiveEventsConfig newEvents) {
        return new GatewayConfig(bootstrapServers, topics, bindHost, port, processorUrls, outcomeTimeout, kafkaTimeout,
                kafkaSecurity, api, webhooks, newEvents, directReads, replies);
    }

    public GatewayConfig withReplies(ReplySettings settings) {
        return new GatewayConfig(bootstrapServers, topics, bindHost, port, processorUrls, outcomeTimeout, kafkaTimeout,
                kafkaSecurity, api, webhooks, events, directReads, settings);
    }
}
