package dev.bank.processor.topology;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bank.processor.config.HousekeepingConfig;
import dev.bank.processor.fraud.FraudRulesEngine;
import dev.bank.schemas.Account;
import dev.bank.schemas.Command;
import dev.bank.schemas.CommandShape;
import dev.bank.schemas.CommandType;
import dev.bank.schemas.Hold;
import dev.bank.schemas.Ids;
import dev.bank.schemas.Json;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.Topics;
import dev.bank.schemas.ProcessedCommand;
import dev.bank.schemas.Transfer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * Applies the commands of one partition in log order: parse, deduplicate by transactionId, decide with
 * {@link AccountLogic}, then write the account, remember the transactionId, and forward the outcome, the
 * ledger entry and any transfer leg. Records that cannot be answered go to the dead-letter topic; nothing here
 * throws on bad input.
 *
 * <p>It shares its task's stores with the {@link LegProcessor}, and writes what it decides with the same
 * {@link DecisionWriter}; the {@link FailureGuard} around it sets aside a record that keeps failing.
 */
final class CommandProcessor implements Processor<String, byte[], String, byte[]> {
    private static final Logger log = LoggerFactory.getLogger(CommandProcessor.class);

    private final AccountLogic logic;
    private final FraudRulesEngine fraudRules;
    private final TopologyMetrics metrics;
    private final Topics topics;
    /** The partition count of the input topics, which the key's partition is computed with. */
    private final int partitions;
    private final Duration retention;
    private final int maxCommandBytes;
    private final String commandsTopic;
    private final InterestTicks interestTicks;
    private final HousekeepingConfig housekeepingConfig;
    private final TimeIndex.Marks marks;
    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, Account> accounts;
    private KeyValueStore<String, ProcessedCommand> processed;
    private KeyValueStore<String, Transfer> transfers;
    private KeyValueStore<String, Hold> holds;
    private FraudDesk fraud;
    private DecisionWriter writer;
    private HoldExpiry holdExpiry;
    private DeadLetterWriter deadLetters;
    private InterestAccrual accrual;
    private InterestWalk interestWalk;

    CommandProcessor(AccountLogic logic, FraudRulesEngine fraudRules, TopologyMetrics metrics, Topics topics,
                     Duration retention, int maxCommandBytes, HousekeepingConfig housekeepingConfig,
                     TimeIndex.Marks marks) {
        this.logic = logic;
        this.fraudRules = fraudRules;
        this.metrics = metrics;
        this.topics = topics;
        this.partitions = topics.partitions();
        this.retention = retention;
        this.maxCommandBytes = maxCommandBytes;
        this.commandsTopic = topics.commands();
        this.interestTicks = new InterestTicks(logic.interest());
        this.housekeepingConfig = housekeepingConfig;
        this.marks = marks;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        marks.reset(context.taskId()); // (re)assigned: its stores may hold what another instance indexed
        TaskStores stores = TaskStores.of(context, marks);
        this.accounts = stores.accounts();
        this.processed = stores.processed();
        this.transfers = stores.transfers();
        this.holds = stores.holds();
        this.writer = new DecisionWriter(context, stores, topics, logic.interest().config().eventsKept(), metrics);
        this.deadLetters = new DeadLetterWriter(context, metrics);
        this.accrual = new InterestAccrual(logic.interest(), stores, writer);
        this.fraud = new FraudDesk(logic, fraudRules, stores, writer, metrics);
        this.holdExpiry = new HoldExpiry(logic, stores, writer, fraud);
        this.interestWalk = new InterestWalk(context, accrual, logic.interest(), stores, housekeepingConfig, metrics);
        new Housekeeping(stores, housekeepingConfig, retention, metrics, context.taskId().toString()).schedule(context);
        interestTicks.schedule(context);
        holdExpiry.schedule(context);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (InterestTicks.KEY.equals(record.key()) || HoldExpiry.KEY.equals(record.key())) {
            if (fromCommandsTopic()) {
                // only the processor sends ticks, to its internal topic; one on the public topic is forged
                deadLetters.write(record, DeadLetter.INVALID_COMMAND, (InterestTicks.KEY.equals(record.key())
                        ? "interest" : "expiry") + " ticks come only from the processor");
            } else if (InterestTicks.isTick(record)) {
                interestWalk.tick(record);
            } else if (HoldExpiry.isTick(record)) {
                holdExpiry.tick(record);
            }
            return;
        }
        // every log line about this record carries its account and transaction (fields in JSON logs)
        try (MDC.MDCCloseable account = MDC.putCloseable("accountId",
                DeadLetters.bounded(record.key(), DeadLetters.MAX_KEY_CHARS))) {
            if (record.key() != null && !KeyPartitions.onItsPartition(context, record.key(), partitions)) {
                misplaced(record);
                return;
            }
            Command command = read(record);
            if (command == null) return;
            try (MDC.MDCCloseable transaction = MDC.putCloseable("transactionId", command.transactionId())) {
                apply(record, command);
            }
        }
    }

    /**
     * A command on a partition its key does not hash to (a producer with another partitioner, such as librdkafka's
     * CRC32 default, or an explicit partition). Applied here it would meet a task that does not hold the account
     * (a credit refused, a second account opened under the same id). It is forwarded, unread, to the key's own
     * partition of the rerouted topic, which the same task reads for that partition; the records of one producer
     * keep their order, as they all take the same way. A record that arrives misplaced on the rerouted topic itself
     * (the partition counts disagree) is dead-lettered rather than sent round again.
     */
    private void misplaced(Record<String, byte[]> record) {
        if (!fromCommandsTopic()) {
            deadLetters.write(record, DeadLetter.WRONG_PARTITION, "key " + record.key() + " belongs on partition "
                    + KeyPartitions.partitionOf(record.key(), partitions) + " of " + partitions + " after rerouting");
            return;
        }
        metrics.rerouted();
        context.forward(record, BankTopology.REROUTE_SINK);
        log.debug("rerouted a command to partition {}", KeyPartitions.partitionOf(record.key(), partitions));
    }

    private boolean fromCommandsTopic() {
        return context.recordMetadata().map(m -> m.topic().equals(commandsTopic)).orElse(false);
    }

    /**
     * A command {@link #read} has held to {@code command.schema.json}: type, transactionId and accountId are there and
     * follow the id rules of {@link Ids} (whose characters also keep the NUL separator of the account-scoped store
     * keys out), and a transfer names a valid toAccountId. The schema is the one place these rules live.
     */
    private void apply(Record<String, byte[]> record, Command command) {
        if (!command.accountId().equals(record.key())) {
            deadLetters.write(record, DeadLetter.KEY_MISMATCH,
                    "record key " + record.key() + " is not the command's accountId " + command.accountId());
            return;
        }
        // Who may act is settled before anything else, a retry's answer included: another principal learns nothing of
        // the account (not even that it exists), and nothing is remembered under its transactionIds.
        Account stored = accounts.get(command.accountId());
        if (!AccountLogic.mayAct(stored, command)) {
            writer.publish(AccountLogic.notFound(command, record.timestamp()), record);
            log.info("refused: not the owner's accountId={} transactionId={}", command.accountId(),
                    command.transactionId());
            return;
        }
        String processedKey = BankTopology.accountScopedKey(command.accountId(), command.transactionId());
        ProcessedCommand earlier = processed.get(processedKey);
        if (earlier != null) {
            answerRetry(record, command, earlier);
            return;
        }
        // ended days first, at the rate and balances they ended with; then the holds that expired by now
        Account current = holdExpiry.releaseDue(accrual.accrueDue(stored, record), record);
        Decision decision = switch (command.type()) {
            case SET_FRAUD_RULES -> fraud.setRules(current, command, record.timestamp());
            case APPROVE_REVIEW, REJECT_REVIEW -> fraud.decide(current, command, record);
            default -> {
                Decision reviewHold = holdOfAReview(current, command, record.timestamp());
                yield reviewHold != null ? reviewHold : fraud.screen(current, command,
                        logic.apply(current, command, record.timestamp(), holdNamedBy(command)), record);
            }
        };
        processed.put(processedKey, new ProcessedCommand(command, decision.outcome()));
        writer.commit(decision, record);
        fraud.observe(decision, record.timestamp());
        Outcome o = decision.outcome();
        log.debug("applied {} accountId={} transactionId={} status={} reason={}", command.type(),
                command.accountId(), command.transactionId(), o.status(), o.reason());
    }

    /**
     * The refusal of a capture or void of a hold that holds a payment under fraud review (only an admin's decision
     * ends it), or null.
     */
    private Decision holdOfAReview(Account account, Command command, long timestamp) {
        if (account == null || (command.type() != CommandType.CAPTURE_HOLD && command.type() != CommandType.VOID_HOLD)
                || command.holdId() == null || fraud.pendingReviewHolding(account.accountId(), command.holdId()) == null) {
            return null;
        }
        return AccountLogic.reject(account, command, timestamp, dev.bank.schemas.RejectionReason.HOLD_NOT_ACTIVE,
                "hold " + command.holdId() + " reserves a payment under fraud review: the bank approves or rejects it",
                null).by(command.principal());
    }

    /** The hold a command is about (for PLACE_HOLD, one already under its id), or null. */
    private Hold holdNamedBy(Command command) {
        String holdId = switch (command.type()) {
            case PLACE_HOLD -> command.transactionId();
            case CAPTURE_HOLD, VOID_HOLD -> command.holdId();
            default -> null;
        };
        return holdId == null ? null : holds.get(BankTopology.accountScopedKey(command.accountId(), holdId));
    }

    /**
     * The command in a record, checked against {@code command.schema.json} as upstream producers are told it is;
     * or null when the record went to the dead-letter topic instead (too large, not JSON, against the schema).
     */
    private Command read(Record<String, byte[]> record) {
        byte[] value = record.value();
        if (value == null) {
            deadLetters.write(record, DeadLetter.INVALID_COMMAND, "the record has no value");
            return null;
        }
        if (value.length > maxCommandBytes) {
            deadLetters.write(record, DeadLetter.TOO_LARGE,
                    value.length + " bytes is more than the " + maxCommandBytes + " a command may have");
            return null;
        }
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(value);
        } catch (IOException e) {
            deadLetters.write(record, DeadLetter.UNPARSEABLE, "not JSON: " + e.getMessage());
            return null;
        }
        List<String> violations = json == null ? List.of("the value is empty") : CommandShape.violations(json);
        if (!violations.isEmpty()) {
            String detail = String.join("; ", violations);
            deadLetters.write(record, DeadLetter.SCHEMA_VIOLATION, detail);
            refuse(record, json, "the command breaks command.schema.json: " + detail);
            return null;
        }
        try {
            return Json.MAPPER.treeToValue(json, Command.class);
        } catch (IOException e) {
            deadLetters.write(record, DeadLetter.UNPARSEABLE, e.getMessage());
            refuse(record, json, "the command cannot be read: " + e.getMessage());
            return null;
        }
    }

    /**
     * Answers a dead-lettered command that still names its account, transaction and type: whoever sent it (a gateway
     * request waiting for it, an upstream system reading the results) learns it was refused instead of waiting for an
     * outcome that never comes. The refusal is remembered like any outcome, so the polling URL answers it and a retry
     * under the same transactionId gets it again (or a conflict, for a different command).
     */
    private void refuse(Record<String, byte[]> record, JsonNode json, String why) {
        if (json == null || !json.isObject()) return;
        String accountId = textOf(json, "accountId");
        String transactionId = textOf(json, "transactionId");
        CommandType type = typeOf(textOf(json, "type"));
        if (type == null || !Ids.validAccountId(accountId) || !Ids.validTransactionId(transactionId)
                || !accountId.equals(record.key())) {
            return;
        }
        String processedKey = BankTopology.accountScopedKey(accountId, transactionId);
        Command asSent = new Command(type, transactionId, accountId, null, null);
        Outcome refusal = AccountLogic.invalid(asSent, DeadLetters.bounded(why, DeadLetters.MAX_DETAIL_CHARS),
                record.timestamp());
        if (json.has("principal")) {
            // sent on someone's behalf, whose right to the account cannot be checked on a command that cannot be
            // read: answered, but nothing is kept under the account's transactionIds
            writer.publish(refusal, record);
            return;
        }
        ProcessedCommand earlier = processed.get(processedKey);
        Outcome answer;
        if (earlier == null) {
            answer = refusal;
            processed.put(processedKey, new ProcessedCommand(null, answer));
        } else if (earlier.command() == null) {
            answer = earlier.outcome().asReplay();
        } else {
            answer = AccountLogic.conflict(asSent, earlier.outcome(), record.timestamp());
        }
        writer.publish(answer, record);
    }

    private static String textOf(JsonNode json, String field) {
        JsonNode node = json.get(field);
        return node != null && node.isTextual() ? node.textValue() : null;
    }

    private static CommandType typeOf(String name) {
        if (name == null) return null;
        for (CommandType t : CommandType.values()) {
            if (t.name().equals(name)) return t;
        }
        return null;
    }

    private void answerRetry(Record<String, byte[]> record, Command command, ProcessedCommand earlier) {
        Outcome answer;
        // a command refused unread (earlier.command() is null) was not this one, which could be read
        if (earlier.command() != null && earlier.command().sameRequestAs(command)) {
            answer = earlier.outcome().asReplay();
            log.info("retry answered with the first outcome accountId={} transactionId={}",
                    command.accountId(), command.transactionId());
        } else {
            answer = AccountLogic.conflict(command, earlier.outcome(), record.timestamp()).by(command.principal());
            log.warn("idempotency conflict accountId={} transactionId={}: different request under a used id",
                    command.accountId(), command.transactionId());
        }
        writer.publish(answer, record);
    }
}
