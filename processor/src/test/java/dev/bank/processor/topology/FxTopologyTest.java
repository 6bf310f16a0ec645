package dev.bank.processor.topology;

import dev.bank.processor.config.ProcessorConfig;
import dev.bank.schemas.Account;
import dev.bank.schemas.Command;
import dev.bank.schemas.EntryType;
import dev.bank.schemas.FxConversion;
import dev.bank.schemas.FxPositions;
import dev.bank.schemas.FxQuote;
import dev.bank.schemas.LedgerEntry;
import dev.bank.schemas.LegType;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.OutcomeStatus;
import dev.bank.schemas.RejectionReason;
import dev.bank.schemas.Transfer;
import dev.bank.schemas.TransferLeg;
import dev.bank.schemas.TransferStatus;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.bank.processor.topology.TopologyTests.COMMANDS;
import static dev.bank.processor.topology.TopologyTests.LEDGER;
import static dev.bank.processor.topology.TopologyTests.LEGS;
import static dev.bank.processor.topology.TopologyTests.ONE_PARTITION;
import static dev.bank.processor.topology.TopologyTests.OUTCOMES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Transfers between currencies through the whole topology under {@link TopologyTestDriver}, configured as production
 * is. The driver feeds the legs the topology writes straight back into it, so one command runs the whole transfer:
 * the source's debit, the destination's converted credit, both FX positions and the source's outcome.
 */
class FxTopologyTest {
    private static final Instant NINE = Instant.parse("2025-03-01T09:00:00Z");
    private static final String UNTIL = "2025-03-01T09:05:00Z";
    private static final FxQuote EUR_USD = new FxQuote("rate-7", "EUR", "USD", "1.08325", UNTIL);

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> commands;
    private TestInputTopic<String, byte[]> legs;
    private TestOutputTopic<String, Outcome> results;
    private TestOutputTopic<String, LedgerEntry> ledger;
    private TestOutputTopic<String, byte[]> deadLetters;
    private long seconds;

    @BeforeEach
    void start() {
        ProcessorConfig config = ProcessorConfig.fromEnv(ONE_PARTITION).withStateDir(stateDir);
        driver = new TopologyTestDriver(BankTopology.build(config, new SimpleMeterRegistry()),
                config.streamsProperties(), NINE);
        commands = driver.createInputTopic(config.topics().commands(), new StringSerializer(), new ByteArraySerializer());
        legs = driver.createInputTopic(config.topics().transferLegs(), new StringSerializer(), new ByteArraySerializer());
        results = driver.createOutputTopic(config.topics().results(), new StringDeserializer(), OUTCOMES.valueSerde());
        ledger = driver.createOutputTopic(config.topics().ledger(), new StringDeserializer(), LEDGER.valueSerde());
        deadLetters = driver.createOutputTopic(config.topics().deadLetter(), new StringDeserializer(),
                new ByteArrayDeserializer());
        send(Command.open("o-1", "acc-eur", "EUR", "500"));
        send(Command.open("o-2", "acc-usd", "USD", null));
        send(Command.open("o-3", "acc-gbp", "GBP", null));
        ledger.readValuesToList();
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    /** Sends a command one second after the last, and returns its one outcome. */
    private Outcome send(Command command) {
        return sendAt(command, NINE.plusSeconds(++seconds));
    }

    private Outcome sendAt(Command command, Instant at) {
        commands.pipeInput(command.accountId(), COMMANDS.serialize(command), at);
        List<Outcome> outcomes = results.readValuesToList();
        assertThat(outcomes).as(command.type() + " " + command.transactionId()).hasSize(1);
        return outcomes.get(0);
    }

    private Account account(String id) {
        KeyValueStore<String, Account> store = driver.getKeyValueStore(BankTopology.ACCOUNTS_STORE);
        return store.get(id);
    }

    private long balance(String id) {
        Account a = account(id);
        return a == null ? 0 : a.balanceMinor();
    }

    @Test
    void convertsAtTheQuotedRateAndBooksBothSidesOnTheBanksPositions() {
        Outcome done = send(Command.transfer("t-1", "acc-eur", "acc-usd", "100.00", "invoice 9", EUR_USD));

        FxConversion fx = new FxConversion("rate-7", "1.08325", 100_00, "EUR", 108_32, "USD");
        assertThat(done.status()).isEqualTo(OutcomeStatus.ACCEPTED);
        assertThat(done.transferStatus()).isEqualTo(TransferStatus.COMPLETED);
        assertThat(done.fx()).as("the outcome says what was converted, at which rate").isEqualTo(fx);
        assertThat(ledger.readValuesToList()).extracting(LedgerEntry::accountId, LedgerEntry::type,
                        LedgerEntry::amountMinor, LedgerEntry::currency, LedgerEntry::fx)
                .containsExactlyInAnyOrder(
                        tuple("acc-eur", EntryType.TRANSFER_OUT, 100_00L, "EUR", fx),
                        tuple("acc-usd", EntryType.TRANSFER_IN, 108_32L, "USD", fx),
                        tuple("bank.fx.EUR", EntryType.FX_BOUGHT, 100_00L, "EUR", fx),
                        tuple("bank.fx.USD", EntryType.FX_SOLD, 108_32L, "USD", fx));
        assertThat(balance("acc-eur")).isEqualTo(400_00);
        assertThat(balance("acc-usd")).isEqualTo(108_32);
        // per currency, the accounts' total moved only with money from outside (the opening deposit)
        assertThat(balance("acc-eur") + balance(FxPositions.accountId("EUR"))).isEqualTo(500_00);
        assertThat(balance("acc-usd") + balance(FxPositions.accountId("USD"))).isZero();
        Account position = account("bank.fx.USD");
        assertThat(position.owner()).as("no customer owns a position").isNull();
        assertThat(position.currency()).isEqualTo("USD");

        KeyValueStore<String, Transfer> transfers = driver.getKeyValueStore(BankTopology.TRANSFERS_STORE);
        assertThat(transfers.get(BankTopology.accountScopedKey("acc-usd", "t-1")).amountMinor())
                .as("the destination's view is in its own currency").isEqualTo(108_32);
        assertThat(transfers.get(BankTopology.accountScopedKey("bank.fx.EUR", "acc-eur:t-1")).fx()).isEqualTo(fx);

        // a retry is answered with the first outcome; nothing moves again
        Outcome retry = send(Command.transfer("t-1", "acc-eur", "acc-usd", "100.00", "invoice 9", EUR_USD));
        assertThat(retry.replayed()).isTrue();
        assertThat(retry.fx()).isEqualTo(fx);
        assertThat(ledger.readValuesToList()).isEmpty();
        // the same transactionId at another quote is another request
        Outcome other = send(Command.transfer("t-1", "acc-eur", "acc-usd", "100.00", "invoice 9",
                new FxQuote("rate-8", "EUR", "USD", "1.2", UNTIL)));
        assertThat(other.reason()).isEqualTo(RejectionReason.IDEMPOTENCY_CONFLICT);
    }

    @Test
    void refusesAQuotePastItsValidityByTheCommandsRecordTime() {
        Instant justAfter = Instant.parse(UNTIL).plusMillis(1);
        Outcome late = sendAt(Command.transfer("t-2", "acc-eur", "acc-usd", "10", null, EUR_USD), justAfter);
        assertThat(late.status()).isEqualTo(OutcomeStatus.REJECTED);
        assertThat(late.reason()).isEqualTo(RejectionReason.FX_QUOTE_EXPIRED);
        assertThat(late.transferStatus()).isEqualTo(TransferStatus.REJECTED);
        assertThat(ledger.readValuesToList()).isEmpty();
        assertThat(balance("acc-eur")).isEqualTo(500_00);
    }

    @Test
    void aQuoteIntoAnotherCurrencyThanTheDestinationsIsRefundedAndNoPositionMoves() {
        FxQuote eurGbp = new FxQuote("rate-9", "EUR", "GBP", "0.85", UNTIL);
        Outcome refunded = send(Command.transfer("t-3", "acc-eur", "acc-usd", "10", null, eurGbp));
        assertThat(refunded.transferStatus()).isEqualTo(TransferStatus.REFUNDED);
        assertThat(refunded.reason()).isEqualTo(RejectionReason.CURRENCY_MISMATCH);
        assertThat(refunded.detail()).contains("holds USD, not GBP");
        assertThat(ledger.readValuesToList()).extracting(LedgerEntry::accountId, LedgerEntry::type)
                .containsExactly(tuple("acc-eur", EntryType.TRANSFER_OUT), tuple("acc-eur", EntryType.TRANSFER_REFUND));
        assertThat(balance("acc-eur")).isEqualTo(500_00);
        assertThat(account("bank.fx.EUR")).isNull();
        assertThat(account("bank.fx.GBP")).isNull();
    }

    @Test
    void aTransferBetweenCurrenciesWithoutAQuoteIsRefundedSayingHowToConvert() {
        Outcome refunded = send(Command.transfer("t-4", "acc-eur", "acc-usd", "10", null));
        assertThat(refunded.reason()).isEqualTo(RejectionReason.CURRENCY_MISMATCH);
        assertThat(refunded.detail()).contains("names an FX quote (POST /fx/quotes)", "refunded");
        assertThat(balance("acc-eur")).isEqualTo(500_00);
    }

    @Test
    void aQuoteFromAnotherCurrencyThanTheSourcesIsRefusedBeforeAnythingMoves() {
        FxQuote usdEur = new FxQuote("rate-5", "USD", "EUR", "0.92", UNTIL);
        Outcome refused = send(Command.transfer("t-5", "acc-eur", "acc-usd", "10", null, usdEur));
        assertThat(refused.reason()).isEqualTo(RejectionReason.CURRENCY_MISMATCH);
        assertThat(refused.detail()).contains("quote rate-5 converts from USD, but the account holds EUR");
        assertThat(ledger.readValuesToList()).isEmpty();
    }

    @Test
    void theBanksOwnAccountsCannotBeOpenedPaidIntoFrozenOrClosed() {
        assertThat(send(Command.open("o-9", "bank.fx.EUR", "EUR", null)).reason())
                .isEqualTo(RejectionReason.INVALID_COMMAND);
        send(Command.transfer("t-6", "acc-eur", "acc-usd", "1", null, EUR_USD)); // opens the positions
        Outcome toPosition = send(Command.transfer("t-7", "acc-eur", "bank.fx.EUR", "1", null));
        assertThat(toPosition.reason()).isEqualTo(RejectionReason.INVALID_COMMAND);
        assertThat(toPosition.detail()).contains("is the bank's own");
        for (var type : List.of(dev.bank.schemas.CommandType.FREEZE_ACCOUNT, dev.bank.schemas.CommandType.CLOSE_ACCOUNT)) {
            Outcome o = send(Command.of(type, "x-" + type, "bank.fx.USD").by("ops", true));
            assertThat(o.reason()).as(type.name()).isEqualTo(RejectionReason.INVALID_COMMAND);
        }
        // a customer cannot even see it
        Outcome probe = send(Command.debit("d-1", "bank.fx.EUR", "1").by("mallory", false));
        assertThat(probe.reason()).isEqualTo(RejectionReason.ACCOUNT_NOT_FOUND);
    }

    @Test
    void aPositionLegDeliveredTwiceMovesThePositionOnce() {
        send(Command.transfer("t-8", "acc-eur", "acc-usd", "50", null, EUR_USD));
        long before = balance("bank.fx.USD");
        ledger.readValuesToList();
        FxConversion fx = new FxConversion("rate-7", "1.08325", 50_00, "EUR", 54_16, "USD");
        TransferLeg again = new TransferLeg(LegType.FX_POSITION, "t-8", "acc-eur", "acc-usd", 54_16, "USD", null, null,
                null, null, fx);
        legs.pipeInput("bank.fx.USD", LEGS.serialize(again), NINE.plusSeconds(60));
        assertThat(balance("bank.fx.USD")).isEqualTo(before);
        assertThat(ledger.readValuesToList()).isEmpty();
        assertThat(deadLetters.readValuesToList()).isEmpty();
    }

    /** A leg whose conversion does not add up would create or destroy money between currencies: dead-lettered. */
    @Test
    void deadLettersHandWrittenLegsWhoseConversionDoesNotAddUp() {
        FxConversion fx = new FxConversion("q", "2", 10_00, "EUR", 20_00, "USD");
        Map<String, TransferLeg> forged = new HashMap<>();
        forged.put("bank.fx.USD", new TransferLeg(LegType.FX_POSITION, "f-1", "acc-eur", "acc-usd", 99_00, "USD", null,
                null, null, null, fx));
        forged.put("bank.fx.CHF", new TransferLeg(LegType.FX_POSITION, "f-2", "acc-eur", "acc-usd", 10_00, "CHF", null,
                null, null, null, fx));
        forged.put("bank.fx.EUR", new TransferLeg(LegType.FX_POSITION, "f-3", "acc-eur", "acc-usd", 10_00, "EUR", null,
                null, null, null, null));
        forged.put("acc-usd", new TransferLeg(LegType.CREDIT, "f-4", "acc-eur", "acc-usd", 10_00, "EUR", null, null,
                null, null, new FxConversion("q", "2", 10_00, "EUR", 20_00, "EUR")));
        forged.forEach((key, leg) -> legs.pipeInput(key, LEGS.serialize(leg), NINE.plusSeconds(60)));
        List<TestRecord<String, byte[]>> dead = deadLetters.readRecordsToList();
        assertThat(dead).hasSize(forged.size());
        assertThat(dead).allSatisfy(r -> assertThat(new String(r.headers().lastHeader(DeadLetter.REASON_HEADER).value(),
                StandardCharsets.UTF_8)).isEqualTo("INVALID_COMMAND"));
        assertThat(ledger.readValuesToList()).isEmpty();
        assertThat(balance("acc-usd")).isZero();
    }
}
