package dev.bank.processor.topology;

import dev.bank.processor.fraud.FraudRulesEngine;
import dev.bank.schemas.Account;
import dev.bank.schemas.FxConversion;
import dev.bank.schemas.Topic;
import dev.bank.schemas.Topics;
import dev.bank.schemas.LegType;
import dev.bank.schemas.ProcessedCommand;
import dev.bank.schemas.RejectionReason;
import dev.bank.schemas.Transfer;
import dev.bank.schemas.TransferLeg;
import dev.bank.schemas.TransferStatus;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Applies transfer legs on the task of the account they are keyed by. Each leg is idempotent: a CREDIT for a
 * transfer this account has already seen, or an answer for a transfer that is no longer PENDING, is ignored,
 * so a leg delivered twice (e.g. replayed by an operator) never moves money twice. A CREDIT whose transferId this
 * account already holds for a different transfer (ids are unique per source account only) is refused with a REFUND,
 * so the source gets its money back instead of waiting forever.
 *
 * <p>It shares its task's stores with the {@link CommandProcessor}, and writes what it decides with the same
 * {@link DecisionWriter}; the {@link FailureGuard} around it sets aside a record that keeps failing.
 */
final class LegProcessor implements Processor<String, byte[], String, byte[]> {
    private static final Logger log = LoggerFactory.getLogger(LegProcessor.class);

    private final AccountLogic logic;
    private final FraudRulesEngine fraudRules;
    private final TopologyMetrics metrics;
    private final Topics topics;
    /** The transfer legs this processor reads: the topic's name with its serde. */
    private final Topic<TransferLeg> legs;
    /** The partition count of the input topics, which the key's partition is computed with. */
    private final int partitions;
    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, ProcessedCommand> processed;
    private KeyValueStore<String, Transfer> transfers;
    private DecisionWriter writer;
    private DeadLetterWriter deadLetters;
    private InterestAccrual accrual;
    private FraudDesk fraud;

    private final TimeIndex.Marks marks;

    LegProcessor(AccountLogic logic, FraudRulesEngine fraudRules, TopologyMetrics metrics, Topics topics,
                 TimeIndex.Marks marks) {
        this.marks = marks;
        this.logic = logic;
        this.fraudRules = fraudRules;
        this.metrics = metrics;
        this.topics = topics;
        this.legs = topics.transferLegsTopic();
        this.partitions = topics.partitions();
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        TaskStores stores = TaskStores.of(context, marks);
        this.processed = stores.processed();
        this.transfers = stores.transfers();
        this.writer = new DecisionWriter(context, stores, topics, logic.interest().config().eventsKept(), metrics);
        this.deadLetters = new DeadLetterWriter(context, metrics);
        this.accrual = new InterestAccrual(logic.interest(), stores, writer);
        this.fraud = new FraudDesk(logic, fraudRules, stores, writer, metrics);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        try (MDC.MDCCloseable account = MDC.putCloseable("accountId",
                DeadLetters.bounded(record.key(), DeadLetters.MAX_KEY_CHARS))) {
            if (record.key() != null && !KeyPartitions.onItsPartition(context, record.key(), partitions)) {
                // the processor writes legs with the default partitioner: a misplaced one was written by hand
                deadLetters.write(record, DeadLetter.WRONG_PARTITION, "key " + record.key() + " belongs on partition "
                        + KeyPartitions.partitionOf(record.key(), partitions) + " of " + partitions);
                return;
            }
            processLeg(record);
        }
    }

    private void processLeg(Record<String, byte[]> record) {
        TransferLeg leg;
        try {
            leg = legs.deserialize(record.value());
        } catch (SerializationException e) {
            deadLetters.write(record, DeadLetter.UNPARSEABLE, e.getMessage());
            return;
        }
        if (leg == null || leg.type() == null || leg.transferId() == null || leg.fromAccountId() == null
                || leg.toAccountId() == null || leg.currency() == null) {
            deadLetters.write(record, DeadLetter.INVALID_COMMAND,
                    "a transfer leg needs type, transferId, both accounts and currency");
            return;
        }
        if (leg.amountMinor() <= 0) {
            // only a hand-written leg can get here; a non-positive credit would move money the wrong way
            deadLetters.write(record, DeadLetter.INVALID_COMMAND, "a transfer leg's amountMinor must be positive");
            return;
        }
        String inconsistent = inconsistentConversion(leg);
        if (inconsistent != null) {
            deadLetters.write(record, DeadLetter.INVALID_COMMAND, inconsistent);
            return;
        }
        if (!leg.targetAccountId().equals(record.key())) {
            deadLetters.write(record, DeadLetter.KEY_MISMATCH,
                    "record key " + record.key() + " is not the leg's account " + leg.targetAccountId());
            return;
        }
        String account = leg.targetAccountId();
        if (leg.type() == LegType.FX_POSITION) {
            applyPosition(account, leg, record);
            return;
        }
        Transfer known = transfers.get(BankTopology.accountScopedKey(account, leg.transferId()));
        if (leg.type() == LegType.CREDIT) {
            if (known != null && known.direction() == Transfer.Direction.IN
                    && known.fromAccountId().equals(leg.fromAccountId())) {
                log.info("duplicate credit leg ignored accountId={} transferId={}", account, leg.transferId());
                return;
            }
            if (known != null) {
                // transferIds are unique per source account only: this account already holds another transfer
                // under the id. Ignoring the credit would leave the source debited and PENDING forever, so refuse
                // it (the source is refunded) and leave the transfer already stored here untouched.
                String detail = "destination account " + account + " already has a transfer " + leg.transferId()
                        + (known.direction() == Transfer.Direction.OUT ? " of its own" : " from " + known.fromAccountId());
                writer.commit(new Decision(null, null, null,
                        leg.answer(LegType.REFUND, RejectionReason.IDEMPOTENCY_CONFLICT, detail), null), record);
                log.warn("credit leg refused: transferId collision accountId={} transferId={} from={}", account,
                        leg.transferId(), leg.fromAccountId());
                return;
            }
            Decision decision = logic.applyCredit(accrual.accrueDue(account, record), leg, record.timestamp())
                    .by(leg.principal());
            writer.commit(decision, record);
            fraud.observe(decision, record.timestamp()); // money in, which the mule rule watches
            log.debug("transfer credit accountId={} transferId={} status={}", account, leg.transferId(),
                    decision.transfer().status());
            return;
        }
        if (known == null || known.direction() != Transfer.Direction.OUT) {
            deadLetters.write(record, DeadLetter.UNKNOWN_TRANSFER,
                    "account " + account + " never sent transfer " + leg.transferId());
            return;
        }
        if (known.status() != TransferStatus.PENDING) {
            log.info("duplicate {} leg ignored accountId={} transferId={}", leg.type(), account, leg.transferId());
            return;
        }
        Account source = accrual.accrueDue(account, record);
        Decision decision = (leg.type() == LegType.COMPLETED
                ? logic.complete(source, known, record.timestamp())
                : logic.refund(source, known, leg, record.timestamp())).by(leg.principal());
        rememberFinalOutcome(account, decision);
        writer.commit(decision, record);
        log.info("transfer {} accountId={} transferId={}", decision.transfer().status(), account, leg.transferId());
    }

    /** The bank's FX position takes or gives its side of a conversion, once per transfer and currency. */
    private void applyPosition(String account, TransferLeg leg, Record<String, byte[]> record) {
        String id = Transfer.positionId(leg.fromAccountId(), leg.transferId());
        if (transfers.get(BankTopology.accountScopedKey(account, id)) != null) {
            log.info("duplicate FX position leg ignored accountId={} transferId={}", account, leg.transferId());
            return;
        }
        writer.commit(logic.applyPosition(accrual.accrueDue(account, record), leg, record.timestamp()), record);
        log.debug("FX position accountId={} transferId={} amountMinor={}", account, leg.transferId(),
                leg.amountMinor());
    }

    /**
     * Why a leg's conversion does not add up (only a leg written by hand can get here), or null: the conversion's
     * source side must be the leg's own amount and currency (a position leg's: one of its two sides), and both of
     * its amounts positive, or money would appear or vanish between the currencies.
     */
    private static String inconsistentConversion(TransferLeg leg) {
        FxConversion fx = leg.fx();
        if (fx == null) {
            return leg.type() == LegType.FX_POSITION ? "an FX_POSITION leg needs its conversion (fx)" : null;
        }
        if (fx.sourceCurrency() == null || fx.targetCurrency() == null || fx.sourceAmountMinor() <= 0
                || fx.targetAmountMinor() <= 0 || fx.sourceCurrency().equals(fx.targetCurrency())) {
            return "a leg's conversion needs two different currencies and two positive amounts";
        }
        boolean source = leg.currency().equals(fx.sourceCurrency()) && leg.amountMinor() == fx.sourceAmountMinor();
        boolean target = leg.currency().equals(fx.targetCurrency()) && leg.amountMinor() == fx.targetAmountMinor();
        if (leg.type() == LegType.FX_POSITION ? !(source || target) : !source) {
            return "a leg's amount and currency must be a side of its conversion";
        }
        return null;
    }

    /** A retry of the transfer command from now on gets the final outcome instead of PENDING. */
    private void rememberFinalOutcome(String account, Decision decision) {
        String key = BankTopology.accountScopedKey(account, decision.transfer().transferId());
        ProcessedCommand pending = processed.get(key);
        if (pending != null) {
            processed.put(key, new ProcessedCommand(pending.command(), decision.outcome()));
        }
    }
}
