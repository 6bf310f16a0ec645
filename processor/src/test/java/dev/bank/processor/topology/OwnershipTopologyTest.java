package dev.bank.processor.topology;

import dev.bank.processor.config.ProcessorConfig;
import dev.bank.schemas.Account;
import dev.bank.schemas.Command;
import dev.bank.schemas.EntryType;
import dev.bank.schemas.HistoryEntry;
import dev.bank.schemas.LedgerEntry;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.OutcomeStatus;
import dev.bank.schemas.ProcessedCommand;
import dev.bank.schemas.RejectionReason;
import dev.bank.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static dev.bank.processor.topology.TopologyTests.COMMANDS;
import static dev.bank.processor.topology.TopologyTests.LEDGER;
import static dev.bank.processor.topology.TopologyTests.OUTCOMES;
import static dev.bank.processor.topology.TopologyTests.ONE_PARTITION;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Who may act on an account, decided by the processor, the single writer: the owner, an admin, or a trusted system
 * that names no principal. Another principal's command is answered as if the account did not exist and leaves no
 * trace under the account's transactionIds; every outcome and posting records who asked.
 */
class OwnershipTopologyTest {
    private static final Instant T0 = Instant.parse("2025-03-01T09:00:00Z");

    @TempDir
    Path stateDir;
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> commands;
    private TestOutputTopic<String, Outcome> results;
    private TestOutputTopic<String, LedgerEntry> ledger;

    @BeforeEach
    void start() {
        ProcessorConfig config = ProcessorConfig.fromEnv(ONE_PARTITION).withStateDir(stateDir);
        Topics topics = config.topics();
        driver = new TopologyTestDriver(BankTopology.build(config, new SimpleMeterRegistry()),
                config.streamsProperties(), T0);
        commands = driver.createInputTopic(topics.commands(), new StringSerializer(), new ByteArraySerializer(),
                T0, Duration.ofSeconds(1));
        results = driver.createOutputTopic(topics.results(), new StringDeserializer(), OUTCOMES.valueSerde());
        ledger = driver.createOutputTopic(topics.ledger(), new StringDeserializer(), LEDGER.valueSerde());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private Outcome send(Command command) {
        commands.pipeInput(command.accountId(), COMMANDS.serialize(command));
        List<Outcome> outcomes = results.readValuesToList();
        assertThat(outcomes).hasSize(1);
        return outcomes.get(0);
    }

    private Account account(String id) {
        KeyValueStore<String, Account> accounts = driver.getKeyValueStore(BankTopology.ACCOUNTS_STORE);
        return accounts.get(id);
    }

    private boolean remembered(String accountId, String transactionId) {
        KeyValueStore<String, ProcessedCommand> processed = driver.getKeyValueStore(BankTopology.PROCESSED_STORE);
        return processed.get(BankTopology.accountScopedKey(accountId, transactionId)) != null;
    }

    @Test
    void theOpenerOwnsTheAccountAndEveryOutcomeAndPostingRecordsWhoAsked() {
        Outcome opened = send(Command.open("o-1", "acc-a", "EUR", "100").by("alice", false));
        assertThat(account("acc-a").owner()).isEqualTo("alice");
        assertThat(opened.principal()).isEqualTo("alice");
        Outcome debit = send(Command.debit("d-1", "acc-a", "10").by("alice", false));
        assertThat(debit.status()).isEqualTo(OutcomeStatus.ACCEPTED);
        assertThat(debit.principal()).isEqualTo("alice");
        assertThat(ledger.readValuesToList()).extracting(LedgerEntry::principal).containsExactly("alice", "alice");
        KeyValueStore<String, HistoryEntry> history = driver.getKeyValueStore(BankTopology.HISTORY_STORE);
        List<String> principals = new ArrayList<>();
        try (var it = history.all()) {
            it.forEachRemaining((KeyValue<String, HistoryEntry> kv) -> principals.add(kv.value.entry().principal()));
        }
        assertThat(principals).containsExactly("alice", "alice");
    }

    @Test
    void anotherPrincipalIsAnsweredAsIfTheAccountDidNotExistAndLeavesNoTrace() {
        send(Command.open("o-1", "acc-a", "EUR", "100").by("alice", false));
        send(Command.debit("d-1", "acc-a", "10").by("alice", false));
        ledger.readValuesToList();
        // When bob debits alice's account, retries her transactionId, and debits an account that does not exist
        Outcome foreign = send(Command.debit("d-2", "acc-a", "10").by("bob", false));
        Outcome retry = send(Command.debit("d-1", "acc-a", "10").by("bob", false));
        Outcome missing = send(Command.debit("d-2", "acc-nobody", "10").by("bob", false));
        // Then each is ACCOUNT_NOT_FOUND, word for word alike, and nothing moved or was remembered
        assertThat(List.of(foreign, retry, missing)).allSatisfy(o -> {
            assertThat(o.reason()).isEqualTo(RejectionReason.ACCOUNT_NOT_FOUND);
            assertThat(o.replayed()).isFalse();
            assertThat(o.balanceMinor()).isNull();
            assertThat(o.principal()).isEqualTo("bob");
        });
        assertThat(foreign.detail()).isEqualTo("account acc-a does not exist");
        assertThat(missing.detail()).isEqualTo("account acc-nobody does not exist");
        assertThat(ledger.readValuesToList()).isEmpty();
        assertThat(account("acc-a").balanceMinor()).isEqualTo(9_000);
        assertThat(remembered("acc-a", "d-2")).as("bob cannot take alice's transactionIds").isFalse();
        assertThat(remembered("acc-nobody", "d-2")).isFalse();
        // and alice's own next command under that id is applied
        assertThat(send(Command.debit("d-2", "acc-a", "1").by("alice", false)).status()).isEqualTo(OutcomeStatus.ACCEPTED);
    }

    @Test
    void aTransferNeedsTheSourcesOwnerAndTheDestinationOnlyHasToExist() {
        send(Command.open("o-a", "acc-a", "EUR", "100").by("alice", false));
        send(Command.open("o-b", "acc-b", "EUR", null).by("bob", false));
        ledger.readValuesToList();
        // bob cannot move alice's money to himself
        assertThat(send(Command.transfer("tr-1", "acc-a", "acc-b", "50", null).by("bob", false)).reason())
                .isEqualTo(RejectionReason.ACCOUNT_NOT_FOUND);
        // alice can pay bob; both postings record her as the one who asked
        Outcome paid = send(Command.transfer("tr-2", "acc-a", "acc-b", "50", null).by("alice", false));
        assertThat(paid.transferStatus()).hasToString("COMPLETED");
        assertThat(paid.principal()).isEqualTo("alice");
        assertThat(ledger.readValuesToList()).extracting(LedgerEntry::type, LedgerEntry::principal)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(EntryType.TRANSFER_OUT, "alice"),
                        org.assertj.core.groups.Tuple.tuple(EntryType.TRANSFER_IN, "alice"));
        assertThat(account("acc-b").balanceMinor()).isEqualTo(5_000);
    }

    @Test
    void anAdminActsOnAnyAccountOpensForOthersAndAloneChangesRates() {
        send(Command.open("o-a", "acc-a", "EUR", "100").by("alice", false));
        // an admin opens an account for carol
        send(Command.open("o-c", "acc-c", "EUR", null).ownedBy("carol").by("root", true));
        assertThat(account("acc-c").owner()).isEqualTo("carol");
        // a customer cannot open one for someone else
        assertThat(send(Command.open("o-d", "acc-d", "EUR", null).ownedBy("dave").by("alice", false)).status())
                .isEqualTo(OutcomeStatus.REJECTED);
        assertThat(account("acc-d")).isNull();
        // an admin debits alice's account, recorded as the admin's act
        Outcome debit = send(Command.debit("d-1", "acc-a", "1").by("root", true));
        assertThat(debit.status()).isEqualTo(OutcomeStatus.ACCEPTED);
        assertThat(debit.principal()).isEqualTo("root");
        // the owner cannot change her rate; an admin can
        assertThat(send(Command.setInterestRate("r-1", "acc-a", "0.5").by("alice", false)).reason())
                .isEqualTo(RejectionReason.INVALID_COMMAND);
        assertThat(send(Command.setInterestRate("r-2", "acc-a", "0.05").by("root", true)).status())
                .isEqualTo(OutcomeStatus.ACCEPTED);
        // nor can a customer pick a rate when opening; an admin can
        assertThat(send(Command.open("o-e", "acc-e", "EUR", null, "1").by("alice", false)).reason())
                .isEqualTo(RejectionReason.INVALID_COMMAND);
        assertThat(account("acc-e")).isNull();
        assertThat(send(Command.open("o-f", "acc-f", "EUR", null, "0.03").ownedBy("alice").by("root", true)).status())
                .isEqualTo(OutcomeStatus.ACCEPTED);
        assertThat(account("acc-f").interestRate()).isEqualTo("0.03");
    }

    @Test
    void anAccountWithoutAnOwnerIsReachedOnlyByAdminsAndTrustedSystems() {
        // Given an account opened by a trusted system naming no one (as before ownership existed)
        send(Command.open("o-1", "legacy", "EUR", "100"));
        assertThat(account("legacy").owner()).isNull();
        assertThat(send(Command.debit("d-1", "legacy", "1").by("alice", false)).reason())
                .isEqualTo(RejectionReason.ACCOUNT_NOT_FOUND);
        assertThat(send(Command.debit("d-2", "legacy", "1").by("root", true)).status()).isEqualTo(OutcomeStatus.ACCEPTED);
        assertThat(send(Command.debit("d-3", "legacy", "1")).status()).isEqualTo(OutcomeStatus.ACCEPTED);
    }
}
