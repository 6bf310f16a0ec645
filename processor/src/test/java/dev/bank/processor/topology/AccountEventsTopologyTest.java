package dev.bank.processor.topology;

import dev.bank.processor.config.ProcessorConfig;
import dev.bank.schemas.Account;
import dev.bank.schemas.AccountEvent;
import dev.bank.schemas.AccountEventPage;
import dev.bank.schemas.AccountEventType;
import dev.bank.schemas.Command;
import dev.bank.schemas.HoldEvent;
import dev.bank.schemas.LedgerEntry;
import dev.bank.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterTry;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static dev.bank.processor.topology.TopologyTests.COMMANDS;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The account events through the whole topology under {@link TopologyTestDriver}: generated activity on three
 * accounts (credits, debits, transfers between them, holds placed, captured in parts, voided and expiring, the fraud
 * rules holding some payments, interest paid at the end of a day that is also a month's end), after which
 * <ul>
 *   <li>each account's events are numbered 1, 2, 3, ... without gaps, in the order of the events topic;</li>
 *   <li>its postings are exactly its ledger entries, in ledger order, and its hold changes exactly what the holds
 *       topic says, in order: nothing reported twice, nothing left out;</li>
 *   <li>every event carries the balance after it, and the last one the account's balance and holds as stored;</li>
 *   <li>the ended month's statement is ready once per account, after that month's last postings;</li>
 *   <li>the events store keeps each account's last {@code BANK_EVENTS_KEPT} events, and a page after any sequence
 *       is what the topic had after it.</li>
 * </ul>
 */
class AccountEventsTopologyTest {
    /** An hour and a half before the end of March: the activity runs into April. */
    private static final Instant START = Instant.parse("2025-03-31T22:30:00Z");
    private static final List<String> ACCOUNTS = List.of("ev-a", "ev-b", "ev-c");
    private static final int KEPT = 7;

    private Path stateDir;
    private TopologyTestDriver driver;

    /** One generated step: what to do, to which account(s), how much, and how far the clock moves first. */
    record Step(int kind, int account, int other, long cents, int pick, int seconds) {
    }

    @Provide
    Arbitrary<List<Step>> activity() {
        Arbitrary<Step> step = Combinators.combine(Arbitraries.integers().between(0, 6),
                Arbitraries.integers().between(0, 2), Arbitraries.integers().between(0, 2),
                Arbitraries.longs().between(1, 40_000), Arbitraries.integers().between(0, 9),
                Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(8, Arbitraries.integers().between(0, 60)),
                        net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(600, 3_600))))
                .as(Step::new);
        return step.list().ofMinSize(20).ofMaxSize(120);
    }

    @AfterTry
    void stop() {
        if (driver != null) driver.close();
        driver = null;
        if (stateDir != null) deleteTree(stateDir);
    }

    @Property(tries = 12)
    void everyPostingAndHoldChangeIsOneEventInOrderWithTheBalanceAfterIt(@ForAll("activity") List<Step> steps)
            throws IOException {
        stateDir = Files.createTempDirectory("events-topology");
        Map<String, String> env = new HashMap<>(TopologyTests.ONE_PARTITION);
        env.put("BANK_EVENTS_KEPT", String.valueOf(KEPT));
        env.put("BANK_INTEREST_DEFAULT_RATE", "0.05");
        ProcessorConfig config = ProcessorConfig.fromEnv(env).withStateDir(stateDir);
        Topics topics = config.topics();
        driver = new TopologyTestDriver(BankTopology.build(config, new SimpleMeterRegistry()),
                config.streamsProperties(), START);
        TestInputTopic<String, byte[]> commands = driver.createInputTopic(topics.commands(), new StringSerializer(),
                new ByteArraySerializer());
        TestOutputTopic<String, AccountEvent> events = driver.createOutputTopic(topics.accountEvents(),
                new StringDeserializer(), topics.accountEventsTopic().valueSerde());
        TestOutputTopic<String, LedgerEntry> ledger = driver.createOutputTopic(topics.ledger(),
                new StringDeserializer(), topics.ledgerTopic().valueSerde());
        TestOutputTopic<String, HoldEvent> holds = driver.createOutputTopic(topics.holds(),
                new StringDeserializer(), topics.holdsTopic().valueSerde());

        Instant now = START;
        for (String id : ACCOUNTS) {
            send(commands, Command.open("open-" + id, id, "EUR", "500"), now);
        }
        List<String> holdIds = new ArrayList<>();
        int n = 0;
        for (Step s : steps) {
            Duration step = Duration.ofSeconds(s.seconds());
            driver.advanceWallClockTime(step);
            now = now.plus(step);
            String account = ACCOUNTS.get(s.account());
            String amount = String.valueOf(s.cents() / 100.0 >= 0 ? java.math.BigDecimal.valueOf(s.cents(), 2) : "1");
            String id = "s-" + (n++);
            Command command = switch (s.kind()) {
                case 0 -> Command.credit(id, account, amount);
                case 1 -> Command.debit(id, account, amount);
                case 2 -> Command.transfer(id, account, ACCOUNTS.get(s.other()), amount, null);
                case 3 -> {
                    holdIds.add(account + "/" + id);
                    String expiry = s.pick() < 5 ? now.plusSeconds(60L * (1 + s.pick())).toString() : null;
                    yield Command.placeHold(id, account, amount, expiry, null);
                }
                case 4, 5 -> {
                    if (holdIds.isEmpty()) yield Command.credit(id, account, amount);
                    String[] hold = holdIds.get(s.pick() % holdIds.size()).split("/");
                    yield s.kind() == 4 ? Command.captureHold(id, hold[0], hold[1], s.pick() % 2 == 0 ? null : amount)
                            : Command.voidHold(id, hold[0], hold[1]);
                }
                default -> Command.debit(id, account, "0.01");
            };
            send(commands, command, now);
        }
        // the clock runs on past the month's end and the holds' expiries: ticks pay interest and release holds
        Instant later = Instant.parse("2025-04-01T02:00:00Z").isAfter(now) ? Instant.parse("2025-04-01T02:00:00Z")
                : now.plus(Duration.ofHours(1));
        driver.advanceWallClockTime(Duration.between(now, later));
        driver.advanceWallClockTime(Duration.ofMinutes(2));

        Map<String, List<AccountEvent>> byAccount = events.readValuesToList().stream()
                .collect(Collectors.groupingBy(AccountEvent::accountId));
        Map<String, List<LedgerEntry>> entries = ledger.readValuesToList().stream()
                .collect(Collectors.groupingBy(LedgerEntry::accountId));
        Map<String, List<HoldEvent>> changes = holds.readValuesToList().stream()
                .collect(Collectors.groupingBy(HoldEvent::accountId));
        KeyValueStore<String, Account> accounts = driver.getKeyValueStore(BankTopology.ACCOUNTS_STORE);
        KeyValueStore<String, AccountEvent> kept = driver.getKeyValueStore(BankTopology.ACCOUNT_EVENTS_STORE);

        for (String id : ACCOUNTS) {
            List<AccountEvent> mine = byAccount.getOrDefault(id, List.of());
            assertThat(mine).extracting(AccountEvent::sequence).as("%s: numbered without gaps", id)
                    .containsExactlyElementsOf(Stream.iterate(1L, i -> i + 1).limit(mine.size()).toList());
            assertThat(mine.stream().filter(e -> e.type() == AccountEventType.POSTING_CREATED)
                    .map(AccountEvent::posting).toList()).as("%s: its ledger, in order", id)
                    .containsExactlyElementsOf(entries.getOrDefault(id, List.of()));
            assertThat(mine.stream().filter(e -> e.hold() != null).map(AccountEvent::hold).toList())
                    .as("%s: its hold changes, in order", id).containsExactlyElementsOf(changes.getOrDefault(id, List.of()));
            for (AccountEvent e : mine) {
                if (e.type() == AccountEventType.POSTING_CREATED && e.hold() == null) {
                    // a capture's posting is reported with its hold change's balance too: both are after the capture
                    assertThat(e.balanceMinor()).as("%s #%d", id, e.sequence()).isEqualTo(e.posting().balanceAfterMinor());
                }
                if (e.hold() != null) {
                    assertThat(e.type()).isEqualTo(AccountEventType.of(e.hold().event()));
                }
                assertThat(e.owner()).isNull();
                assertThat(e.currency()).isEqualTo("EUR");
            }
            Account account = accounts.get(id);
            AccountEvent last = mine.get(mine.size() - 1);
            assertThat(account.eventSequence()).isEqualTo(last.sequence());
            assertThat(last.balanceMinor()).isEqualTo(account.balanceMinor());
            assertThat(last.heldMinor()).isEqualTo(account.heldMinor());
            assertThat(last.availableMinor()).isEqualTo(account.availableMinor());

            List<AccountEvent> statements = mine.stream()
                    .filter(e -> e.type() == AccountEventType.STATEMENT_READY).toList();
            assertThat(statements).extracting(AccountEvent::statementMonth).as("%s: March's statement", id)
                    .containsExactly("2025-03");
            AccountEvent ready = statements.get(0);
            assertThat(mine.stream().filter(e -> e.posting() != null
                    && e.posting().timestamp() < Instant.parse("2025-04-01T00:00:00Z").toEpochMilli())
                    .allMatch(e -> e.sequence() < ready.sequence())).as("%s: March's postings come first", id).isTrue();

            for (long after = 0; after <= last.sequence(); after++) {
                AccountEventPage page = AccountEvents.page(kept, id, account.eventSequence(), after, 500, KEPT);
                long firstKept = Math.max(1, last.sequence() - KEPT + 1);
                assertThat(after < page.firstKept() - 1).as("%s after %d: told it missed events", id, after)
                        .isEqualTo(after < firstKept - 1);
                assertThat(page.latest()).isEqualTo(last.sequence());
                long from = Math.max(after + 1, firstKept);
                assertThat(page.events()).as("%s after %d", id, after)
                        .containsExactlyElementsOf(mine.subList((int) from - 1, mine.size()));
            }
            assertThat(AccountEvents.page(kept, id, account.eventSequence(), 0, 2, KEPT).events()).hasSize(2);
        }
    }

    private static void send(TestInputTopic<String, byte[]> commands, Command command, Instant at) {
        commands.pipeInput(command.accountId(), COMMANDS.serialize(command), at);
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
