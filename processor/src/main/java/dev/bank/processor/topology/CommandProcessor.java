package dev.bank.processor.topology;

import dev.bank.schemas.Account;
import dev.bank.schemas.Command;
import dev.bank.schemas.JsonSerde;
import dev.bank.schemas.LedgerEntry;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.ProcessedCommand;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Applies the commands of one partition in log order: parse, deduplicate by transactionId, decide with
 * {@link AccountLogic}, then write the account, remember the transactionId, and forward the outcome and the
 * ledger entry. Records that cannot be answered go to the dead-letter topic; nothing here throws on bad input.
 */
final class CommandProcessor implements Processor<String, byte[], String, byte[]> {
    private static final Logger log = LoggerFactory.getLogger(CommandProcessor.class);
    private static final JsonSerde<Command> COMMANDS = JsonSerde.of(Command.class);
    private static final JsonSerde<Outcome> OUTCOMES = JsonSerde.of(Outcome.class);
    private static final JsonSerde<LedgerEntry> LEDGER = JsonSerde.of(LedgerEntry.class);
    /** How often expired transactionIds are purged; a retry between purges is still answered correctly. */
    private static final Duration PURGE_INTERVAL = Duration.ofMinutes(10);
    /** The schema's patterns; they also keep the NUL separator of the processed-ids key out of the ids. */
    private static final Pattern ACCOUNT_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern TRANSACTION_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private final AccountLogic logic;
    private final Duration retention;
    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, Account> accounts;
    private KeyValueStore<String, ProcessedCommand> processed;

    CommandProcessor(AccountLogic logic, Duration retention) {
        this.logic = logic;
        this.retention = retention;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.accounts = context.getStateStore(BankTopology.ACCOUNTS_STORE);
        this.processed = context.getStateStore(BankTopology.PROCESSED_STORE);
        context.schedule(PURGE_INTERVAL, PunctuationType.WALL_CLOCK_TIME, this::purgeExpired);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        Command command;
        try {
            command = COMMANDS.deserialize(null, record.value());
        } catch (SerializationException e) {
            deadLetter(record, DeadLetter.UNPARSEABLE, e.getMessage());
            return;
        }
        String invalid = structuralProblem(command);
        if (invalid != null) {
            deadLetter(record, DeadLetter.INVALID_COMMAND, invalid);
            return;
        }
        if (!command.accountId().equals(record.key())) {
            deadLetter(record, DeadLetter.KEY_MISMATCH,
                    "record key " + record.key() + " is not the command's accountId " + command.accountId());
            return;
        }
        String processedKey = BankTopology.processedKey(command.accountId(), command.transactionId());
        ProcessedCommand earlier = processed.get(processedKey);
        if (earlier != null) {
            answerRetry(record, command, earlier);
            return;
        }
        Decision decision = logic.apply(accounts.get(command.accountId()), command, record.timestamp());
        if (decision.newState() != null) {
            accounts.put(command.accountId(), decision.newState());
        }
        processed.put(processedKey, new ProcessedCommand(command, decision.outcome()));
        forward(record, BankTopology.RESULTS_SINK, OUTCOMES.serialize(null, decision.outcome()));
        if (decision.entry() != null) {
            forward(record, BankTopology.LEDGER_SINK, LEDGER.serialize(null, decision.entry()));
        }
        Outcome o = decision.outcome();
        log.debug("applied {} accountId={} transactionId={} status={} reason={}", command.type(),
                command.accountId(), command.transactionId(), o.status(), o.reason());
    }

    private void answerRetry(Record<String, byte[]> record, Command command, ProcessedCommand earlier) {
        Outcome answer;
        if (earlier.command().sameRequestAs(command)) {
            answer = earlier.outcome().asReplay();
            log.info("retry answered with the first outcome accountId={} transactionId={}",
                    command.accountId(), command.transactionId());
        } else {
            answer = AccountLogic.conflict(command, earlier.outcome(), record.timestamp());
            log.warn("idempotency conflict accountId={} transactionId={}: different request under a used id",
                    command.accountId(), command.transactionId());
        }
        forward(record, BankTopology.RESULTS_SINK, OUTCOMES.serialize(null, answer));
    }

    /** What makes a parsed command impossible to route or answer, or null when it can be applied. */
    static String structuralProblem(Command command) {
        if (command == null) return "the record has no value";
        if (command.type() == null) return "type is missing";
        if (blank(command.transactionId())) return "transactionId is missing";
        if (blank(command.accountId())) return "accountId is missing";
        if (!ACCOUNT_ID.matcher(command.accountId()).matches()) {
            return "accountId must be 1-64 characters of A-Z, a-z, 0-9, '.', '_' or '-'";
        }
        if (!TRANSACTION_ID.matcher(command.transactionId()).matches()) {
            return "transactionId must be 1-128 characters of A-Z, a-z, 0-9, '.', '_', ':' or '-'";
        }
        return null;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private void forward(Record<String, byte[]> cause, String sink, byte[] value) {
        context.forward(new Record<>(cause.key(), value, cause.timestamp()), sink);
    }

    private void deadLetter(Record<String, byte[]> record, DeadLetter reason, String detail) {
        RecordHeaders headers = new RecordHeaders(record.headers().toArray());
        headers.add(DeadLetter.REASON_HEADER, bytes(reason.name()));
        headers.add(DeadLetter.DETAIL_HEADER, bytes(detail));
        context.recordMetadata().ifPresent(m -> {
            headers.add(DeadLetter.SOURCE_TOPIC_HEADER, bytes(m.topic()));
            headers.add(DeadLetter.SOURCE_PARTITION_HEADER, bytes(String.valueOf(m.partition())));
            headers.add(DeadLetter.SOURCE_OFFSET_HEADER, bytes(String.valueOf(m.offset())));
        });
        context.forward(new Record<>(record.key(), record.value(), record.timestamp(), headers),
                BankTopology.DEAD_LETTER_SINK);
        log.warn("dead-lettered record key={} reason={} detail={}", record.key(), reason, detail);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Forgets transactionIds older than the retention; their retries would be applied as new commands. */
    private void purgeExpired(long now) {
        long cutoff = now - retention.toMillis();
        List<String> expired = new ArrayList<>();
        try (KeyValueIterator<String, ProcessedCommand> it = processed.all()) {
            while (it.hasNext()) {
                KeyValue<String, ProcessedCommand> kv = it.next();
                if (kv.value.outcome().timestamp() < cutoff) expired.add(kv.key);
            }
        }
        expired.forEach(processed::delete);
        if (!expired.isEmpty()) log.info("purged {} transactionIds older than {}", expired.size(), retention);
    }
}
