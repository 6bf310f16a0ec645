package dev.bank.schemas;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The topics of the system. Commands, results and ledger share one partition count so that an account's
 * command, outcome and ledger entries all live on the same partition number (co-partitioned by accountId).
 *
 * @param commands   commands in, keyed by accountId ({@link Command})
 * @param results    one outcome per command, keyed by accountId ({@link Outcome})
 * @param ledger     one immutable entry per posting, keyed by accountId ({@link LedgerEntry})
 * @param transferLegs the legs of transfers between the two accounts' tasks, keyed by the account that acts
 *                   ({@link TransferLeg}); must have the commands topic's partition count
 * @param deadLetter records that could not be parsed or validated, original bytes plus reason headers
 * @param rerouted   commands that were produced to a partition their key does not hash to, forwarded by the
 *                   processor to the key's own partition (so every command of an account reaches the one task that
 *                   owns it); internal to the processor, with the commands topic's partition count
 * @param holds      every change of a hold (placed, captured, voided, expired), keyed by accountId
 *                   ({@link HoldEvent}), for monitors: holds are not postings, so they are not on the ledger
 * @param fxRates    exchange rates published by an upstream rates system, compacted, keyed {@code BASE:QUOTE}
 *                   ({@link FxRate}); the gateway reads it to answer quotes, the processor never does (a transfer
 *                   carries its rate)
 * @param fraudAlerts every fraud decision other than ALLOW and every end of a fraud review, keyed by accountId
 *                   ({@link FraudAlert}), for operators: it names rules and thresholds, so customers never read it
 * @param accountEvents every posting, hold change and ready statement of each account, in order, keyed by accountId
 *                   ({@link AccountEvent}): what the gateways' live streams and the webhook notifier deliver
 * @param webhooks   webhook subscriptions, compacted, keyed by subscription id (written by the gateways, read whole
 *                   by the notifier and the gateways); a tombstone deletes one
 * @param webhookDeadLetters the webhook deliveries the notifier gave up on after its last attempt, keyed by
 *                   subscription id, kept until replayed or read by an operator
 * @param webhookReplays requests to deliver a subscription's dead letters again, keyed by subscription id (written by
 *                   the gateways, read by the notifier)
 * @param replies    the outcomes a gateway waits for, written by the processor to the partition the command named
 *                   ({@link WireHeaders#REPLY_PARTITION}), in the same transaction as on {@code results}; each gateway
 *                   instance reads only its own partition ({@link Outcome}, keyed by accountId, kept briefly)
 * @param replyPartitions the partition count of {@code replies} to create it with, independent of the accounts' count:
 *                   one partition per gateway instance is the most efficient, and more than there are gateways costs
 *                   nothing
 * @param idempotencyRetention how long a transactionId is remembered ({@code BANK_IDEMPOTENCY_RETENTION}, the
 *                   processors' setting): the rates topic keeps every rate at least as long, and the gateways know
 *                   every quote as long, so a retry of a transfer made with one reaches the processor
 */
public record Topics(String commands, String results, String ledger, String transferLegs, String deadLetter,
                     String rerouted, String holds, String fxRates, String fraudAlerts, String accountEvents,
                     String webhooks, String webhookDeadLetters, String webhookReplays, String replies,
                     int partitions, int replyPartitions, short replicationFactor, Duration idempotencyRetention) {

    /** The processors' default {@code BANK_IDEMPOTENCY_RETENTION}. */
    public static final Duration DEFAULT_IDEMPOTENCY_RETENTION = Duration.ofDays(7);

    public static final String DEFAULT_COMMANDS = "bank.commands";
    public static final String DEFAULT_RESULTS = "bank.results";
    public static final String DEFAULT_LEDGER = "bank.ledger";
    public static final String DEFAULT_TRANSFER_LEGS = "bank.transfer-legs";
    public static final String DEFAULT_DEAD_LETTER = "bank.dlq";
    public static final String DEFAULT_REROUTED = "bank.commands.rerouted";
    public static final String DEFAULT_HOLDS = "bank.holds";
    public static final String DEFAULT_FX_RATES = "bank.fx-rates";
    public static final String DEFAULT_FRAUD_ALERTS = "bank.fraud-alerts";
    public static final String DEFAULT_ACCOUNT_EVENTS = "bank.account-events";
    public static final String DEFAULT_WEBHOOKS = "bank.webhooks";
    public static final String DEFAULT_WEBHOOK_DEAD_LETTERS = "bank.webhooks.dlq";
    public static final String DEFAULT_WEBHOOK_REPLAYS = "bank.webhooks.replays";
    public static final String DEFAULT_REPLIES = "bank.replies";
    /** Room for 16 gateway instances with a partition each; a gateway waits for a reply for seconds, not hours. */
    public static final int DEFAULT_REPLY_PARTITIONS = 16;
    public static final Duration DEFAULT_REPLIES_RETENTION = Duration.ofHours(1);
    /** How long account events are kept: a live stream or the notifier can catch up on what it missed for as long. */
    public static final Duration DEFAULT_ACCOUNT_EVENTS_RETENTION = Duration.ofDays(7);
    public static final int DEFAULT_PARTITIONS = 6;

    // one serde per record type, shared by every topic that carries it
    private static final JsonSerde<Command> COMMANDS = JsonSerde.of(Command.class);
    private static final JsonSerde<Outcome> OUTCOMES = JsonSerde.of(Outcome.class);
    private static final JsonSerde<LedgerEntry> LEDGER_ENTRIES = JsonSerde.of(LedgerEntry.class);
    private static final JsonSerde<TransferLeg> TRANSFER_LEGS = JsonSerde.of(TransferLeg.class);
    private static final JsonSerde<HoldEvent> HOLD_EVENTS = JsonSerde.of(HoldEvent.class);
    private static final JsonSerde<FxRate> FX_RATES = JsonSerde.of(FxRate.class);
    private static final JsonSerde<FraudAlert> FRAUD_ALERTS = JsonSerde.of(FraudAlert.class);
    private static final JsonSerde<AccountEvent> ACCOUNT_EVENTS = JsonSerde.of(AccountEvent.class);
    private static final JsonSerde<WebhookSubscription> WEBHOOKS = JsonSerde.of(WebhookSubscription.class);
    private static final JsonSerde<WebhookDeadLetter> WEBHOOK_DEAD_LETTERS = JsonSerde.of(WebhookDeadLetter.class);
    private static final JsonSerde<WebhookReplay> WEBHOOK_REPLAYS = JsonSerde.of(WebhookReplay.class);

    /** {@link #commands()} with its serdes. */
    public Topic<Command> commandsTopic() {
        return new Topic<>(commands, COMMANDS);
    }

    /** {@link #results()} with its serdes. */
    public Topic<Outcome> resultsTopic() {
        return new Topic<>(results, OUTCOMES);
    }

    /** {@link #replies()} with its serdes: the outcome schema of {@link #results()}. */
    public Topic<Outcome> repliesTopic() {
        return new Topic<>(replies, OUTCOMES);
    }

    /** {@link #ledger()} with its serdes. */
    public Topic<LedgerEntry> ledgerTopic() {
        return new Topic<>(ledger, LEDGER_ENTRIES);
    }

    /** {@link #transferLegs()} with its serdes. */
    public Topic<TransferLeg> transferLegsTopic() {
        return new Topic<>(transferLegs, TRANSFER_LEGS);
    }

    /** {@link #holds()} with its serdes. */
    public Topic<HoldEvent> holdsTopic() {
        return new Topic<>(holds, HOLD_EVENTS);
    }

    /** {@link #fxRates()} with its serdes. */
    public Topic<FxRate> fxRatesTopic() {
        return new Topic<>(fxRates, FX_RATES);
    }

    /** {@link #fraudAlerts()} with its serdes. */
    public Topic<FraudAlert> fraudAlertsTopic() {
        return new Topic<>(fraudAlerts, FRAUD_ALERTS);
    }

    /** {@link #accountEvents()} with its serdes. */
    public Topic<AccountEvent> accountEventsTopic() {
        return new Topic<>(accountEvents, ACCOUNT_EVENTS);
    }

    /** {@link #webhooks()} with its serdes: keys are subscription ids. */
    public Topic<WebhookSubscription> webhooksTopic() {
        return new Topic<>(webhooks, WEBHOOKS);
    }

    /** {@link #webhookDeadLetters()} with its serdes: keys are subscription ids. */
    public Topic<WebhookDeadLetter> webhookDeadLettersTopic() {
        return new Topic<>(webhookDeadLetters, WEBHOOK_DEAD_LETTERS);
    }

    /** {@link #webhookReplays()} with its serdes: keys are subscription ids. */
    public Topic<WebhookReplay> webhookReplaysTopic() {
        return new Topic<>(webhookReplays, WEBHOOK_REPLAYS);
    }

    public static Topics defaults() {
        return new Topics(DEFAULT_COMMANDS, DEFAULT_RESULTS, DEFAULT_LEDGER, DEFAULT_TRANSFER_LEGS, DEFAULT_DEAD_LETTER,
                DEFAULT_REROUTED, DEFAULT_HOLDS, DEFAULT_FX_RATES, DEFAULT_FRAUD_ALERTS, DEFAULT_ACCOUNT_EVENTS,
                DEFAULT_WEBHOOKS, DEFAULT_WEBHOOK_DEAD_LETTERS, DEFAULT_WEBHOOK_REPLAYS, DEFAULT_REPLIES,
                DEFAULT_PARTITIONS, DEFAULT_REPLY_PARTITIONS, (short) 1, DEFAULT_IDEMPOTENCY_RETENTION);
    }

    /** Reads {@code BANK_TOPIC_*} and {@code BANK_TOPIC_PARTITIONS}/{@code BANK_TOPIC_REPLICATION} overrides. */
    public static Topics fromEnv(Map<String, String> env) {
        return new Topics(
                env.getOrDefault("BANK_TOPIC_COMMANDS", DEFAULT_COMMANDS),
                env.getOrDefault("BANK_TOPIC_RESULTS", DEFAULT_RESULTS),
                env.getOrDefault("BANK_TOPIC_LEDGER", DEFAULT_LEDGER),
                env.getOrDefault("BANK_TOPIC_TRANSFER_LEGS", DEFAULT_TRANSFER_LEGS),
                env.getOrDefault("BANK_TOPIC_DLQ", DEFAULT_DEAD_LETTER),
                env.getOrDefault("BANK_TOPIC_REROUTED", DEFAULT_REROUTED),
                env.getOrDefault("BANK_TOPIC_HOLDS", DEFAULT_HOLDS),
                env.getOrDefault("BANK_TOPIC_FX_RATES", DEFAULT_FX_RATES),
                env.getOrDefault("BANK_TOPIC_FRAUD_ALERTS", DEFAULT_FRAUD_ALERTS),
                env.getOrDefault("BANK_TOPIC_ACCOUNT_EVENTS", DEFAULT_ACCOUNT_EVENTS),
                env.getOrDefault("BANK_TOPIC_WEBHOOKS", DEFAULT_WEBHOOKS),
                env.getOrDefault("BANK_TOPIC_WEBHOOK_DLQ", DEFAULT_WEBHOOK_DEAD_LETTERS),
                env.getOrDefault("BANK_TOPIC_WEBHOOK_REPLAYS", DEFAULT_WEBHOOK_REPLAYS),
                env.getOrDefault("BANK_TOPIC_REPLIES", DEFAULT_REPLIES),
                Integer.parseInt(env.getOrDefault("BANK_TOPIC_PARTITIONS", String.valueOf(DEFAULT_PARTITIONS))),
                Integer.parseInt(env.getOrDefault("BANK_TOPIC_REPLY_PARTITIONS",
                        String.valueOf(DEFAULT_REPLY_PARTITIONS))),
                Short.parseShort(env.getOrDefault("BANK_TOPIC_REPLICATION", "1")),
                Duration.parse(env.getOrDefault("BANK_IDEMPOTENCY_RETENTION", DEFAULT_IDEMPOTENCY_RETENTION.toString())));
    }

    /**
     * The topic definitions to create: the ledger and dead-letter topics kept forever (audit trail), the commands
     * topic stamped by the broker.
     */
    public List<TopicSpec> specs() {
        Map<String, String> keepForever = Map.of("retention.ms", "-1");
        Map<String, String> minIsr = replicationFactor >= 3 ? Map.of("min.insync.replicas", "2") : Map.of();
        // The broker stamps each command with its own clock: a producer cannot date a command ahead (interest is paid
        // by record time) or behind, nor give it no timestamp at all.
        Map<String, String> brokerTime = Map.of("message.timestamp.type", "LogAppendTime");
        return List.of(
                new TopicSpec(commands, partitions, replicationFactor, merge(brokerTime, minIsr)),
                new TopicSpec(results, partitions, replicationFactor, minIsr),
                new TopicSpec(ledger, partitions, replicationFactor, merge(keepForever, minIsr)),
                new TopicSpec(transferLegs, partitions, replicationFactor, minIsr),
                new TopicSpec(deadLetter, partitions, replicationFactor, merge(keepForever, minIsr)),
                new TopicSpec(rerouted, partitions, replicationFactor, minIsr),
                new TopicSpec(holds, partitions, replicationFactor, minIsr),
                // the evidence behind every stopped payment: kept as long as the ledger
                new TopicSpec(fraudAlerts, partitions, replicationFactor, merge(keepForever, minIsr)),
                // the subscribers' catch-up window: a stream or the notifier resumes within it
                new TopicSpec(accountEvents, partitions, replicationFactor, merge(Map.of("retention.ms",
                        String.valueOf(DEFAULT_ACCOUNT_EVENTS_RETENTION.toMillis())), minIsr)),
                // a subscription's newest record is the subscription (or its tombstone); read whole by every reader
                new TopicSpec(webhooks, 1, replicationFactor, merge(Map.of("cleanup.policy", "compact"), minIsr)),
                // what the notifier could not deliver stays until an operator has seen to it
                new TopicSpec(webhookDeadLetters, partitions, replicationFactor, merge(keepForever, minIsr)),
                new TopicSpec(webhookReplays, 1, replicationFactor, minIsr),
                // a reply is read within the outcome timeout (seconds) by the gateway that waits for it, or never:
                // bank.results keeps every outcome for everyone else
                new TopicSpec(replies, replyPartitions, replicationFactor, merge(Map.of("retention.ms",
                        String.valueOf(DEFAULT_REPLIES_RETENTION.toMillis())), minIsr)),
                // a pair's newest rate is its current one; few records, read whole by every gateway: one partition.
                // Compaction spares a rate as long as a transfer made with it may be retried
                new TopicSpec(fxRates, 1, replicationFactor, merge(Map.of("cleanup.policy", "compact",
                        "min.compaction.lag.ms", String.valueOf(idempotencyRetention.toMillis())), minIsr)));
    }

    /** The same topics with another partition count (the count the broker reports for an existing cluster). */
    public Topics withPartitions(int count) {
        return new Topics(commands, results, ledger, transferLegs, deadLetter, rerouted, holds, fxRates, fraudAlerts,
                accountEvents, webhooks, webhookDeadLetters, webhookReplays, replies, count, replyPartitions,
                replicationFactor, idempotencyRetention);
    }

    /** The same topics with another partition count of {@link #replies()} (the count the broker reports). */
    public Topics withReplyPartitions(int count) {
        return new Topics(commands, results, ledger, transferLegs, deadLetter, rerouted, holds, fxRates, fraudAlerts,
                accountEvents, webhooks, webhookDeadLetters, webhookReplays, replies, partitions, count,
                replicationFactor, idempotencyRetention);
    }

    /** The same topics with another replication factor. */
    public Topics withReplication(short factor) {
        return new Topics(commands, results, ledger, transferLegs, deadLetter, rerouted, holds, fxRates, fraudAlerts,
                accountEvents, webhooks, webhookDeadLetters, webhookReplays, replies, partitions, replyPartitions,
                factor, idempotencyRetention);
    }

    private static Map<String, String> merge(Map<String, String> a, Map<String, String> b) {
        var m = new java.util.HashMap<>(a);
        m.putAll(b);
        return Map.copyOf(m);
    }
}
