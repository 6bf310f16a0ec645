package dev.bank.processor.store;

import dev.bank.processor.fraud.FraudProfile;
import dev.bank.schemas.Account;
import dev.bank.schemas.HoldStatus;
import dev.bank.schemas.HoldEvent;
import dev.bank.schemas.Hold;
import dev.bank.schemas.AccountEventType;
import dev.bank.schemas.AccountEvent;
import dev.bank.schemas.FraudFinding;
import dev.bank.schemas.FraudReview;
import dev.bank.schemas.FraudRule;
import dev.bank.schemas.FraudRules;
import dev.bank.schemas.ReviewStatus;
import java.util.List;
import dev.bank.schemas.AccountStatus;
import dev.bank.schemas.Command;
import dev.bank.schemas.CommandType;
import dev.bank.schemas.EntryType;
import dev.bank.schemas.FxConversion;
import dev.bank.schemas.FxQuote;
import dev.bank.schemas.HistoryEntry;
import dev.bank.schemas.LedgerEntry;
import dev.bank.schemas.Outcome;
import dev.bank.schemas.OutcomeStatus;
import dev.bank.schemas.ProcessedCommand;
import dev.bank.schemas.RejectionReason;
import dev.bank.schemas.Transfer;
import dev.bank.schemas.TransferStatus;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.apache.kafka.common.errors.SerializationException;

import java.time.LocalDate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Generated values for the stores' serdes: any value of a stored record reads back equal, and any bytes at all read
 * as a value or fail as a {@link SerializationException}, never anything else (a task must be able to report a
 * damaged value, not crash on it).
 */
class StoreSerdesPropertiesTest {
    private static final String TOPIC = "changelog";

    @Property(tries = 2000)
    void anyStoredValueRoundTrips(@ForAll("storedValues") Object value) {
        assertRoundTrips(serdeOf(value), value);
    }

    @SuppressWarnings("unchecked")
    private static <T> StoreSerde<T> serdeOf(T value) {
        Object serde = value instanceof Account ? StoreSerdes.accounts()
                : value instanceof ProcessedCommand ? StoreSerdes.processedCommands()
                : value instanceof Transfer ? StoreSerdes.transfers()
                : value instanceof FraudProfile ? StoreSerdes.fraudProfiles()
                : value instanceof FraudReview ? StoreSerdes.fraudReviews()
                : value instanceof AccountEvent ? StoreSerdes.accountEvents()
                : StoreSerdes.history();
        return (StoreSerde<T>) serde;
    }

    private static <T> void assertRoundTrips(StoreSerde<T> serde, T value) {
        assertThat(serde.deserialize(TOPIC, serde.serialize(TOPIC, value))).isEqualTo(value);
    }

    @Property(tries = 2000)
    void anyBytesReadAsAValueOrFailAsASerializationError(@ForAll byte[] bytes) {
        for (StoreSerde<?> serde : new StoreSerde<?>[] {StoreSerdes.accounts(), StoreSerdes.processedCommands(),
                StoreSerdes.transfers(), StoreSerdes.history(), StoreSerdes.fraudProfiles(),
                StoreSerdes.fraudReviews(), StoreSerdes.accountEvents()}) {
            try {
                serde.deserialize(TOPIC, bytes);
            } catch (SerializationException expected) {
                // a clear refusal is fine
            }
        }
    }

    @Property(tries = 1000)
    void aStoredValueWithAnyByteFlippedReadsOrFailsAsASerializationError(@ForAll("accounts") Account account,
                                                                          @ForAll byte flip) {
        byte[] bytes = StoreSerdes.accounts().serialize(TOPIC, account);
        for (int i = 0; i < bytes.length; i++) {
            byte[] damaged = bytes.clone();
            damaged[i] ^= (byte) (flip == 0 ? 1 : flip);
            try {
                StoreSerdes.accounts().deserialize(TOPIC, damaged);
            } catch (SerializationException expected) {
                // a clear refusal is fine
            }
        }
        // the header's fingerprint is checked: a flipped byte there is always refused
        byte[] header = bytes.clone();
        header[5] ^= (byte) (flip == 0 ? 1 : flip);
        assertThatThrownBy(() -> StoreSerdes.accounts().deserialize(TOPIC, header))
                .isInstanceOf(SerializationException.class);
    }

    // ---- generators: every nullable component sometimes null, numbers over their whole range ----

    /** Any Unicode text (the stores hold what arrived as JSON text, so never a lone surrogate). */
    private static Arbitrary<String> text() {
        return Arbitraries.strings().all().ofMaxLength(40)
                .filter(s -> s.codePoints().noneMatch(c -> Character.getType(c) == Character.SURROGATE))
                .injectNull(0.2);
    }

    private static Arbitrary<Long> anyLong() {
        return Arbitraries.longs().edgeCases(c -> c.includeOnly(0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE));
    }

    private static <E extends Enum<E>> Arbitrary<E> constant(Class<E> type) {
        return Arbitraries.of(type).injectNull(0.2);
    }

    @Provide
    Arbitrary<Object> storedValues() {
        return Arbitraries.oneOf(accounts(), processed(), transfers(), history(), profiles(), reviews(), events());
    }

    @Provide
    Arbitrary<Account> accounts() {
        Arbitrary<LocalDate> dates = Arbitraries.longs().between(-1_000_000, 1_000_000).map(LocalDate::ofEpochDay)
                .injectNull(0.2);
        Arbitrary<Long> optionalLong = anyLong().injectNull(0.3);
        Arbitrary<Tuple.Tuple8<Long, Long, String, LocalDate, Long, Long, Integer, Long>> controls = Combinators.combine(
                anyLong(), optionalLong, text(), dates, anyLong(), anyLong(), Arbitraries.integers(), optionalLong)
                .as(Tuple::of);
        return Combinators.combine(Combinators.combine(text(), text(), constant(AccountStatus.class), anyLong(),
                anyLong(), anyLong(), text(), text()).as(Tuple::of), dates, text(), controls, optionalLong)
                .as((t, date, owner, c, dueFrom) ->
                new Account(t.get1(), t.get2(), t.get3(), t.get4(), t.get5(), t.get6(), t.get7(), t.get8(), date, owner,
                        c.get1(), c.get2(), c.get3(), c.get4(), c.get5(), c.get6(), c.get7(), c.get8(),
                        c.get7() ^ 0x5a5a, dueFrom, t.get4() ^ 0x0f0f)); // distinct from pendingTransfersOut and
                                                                     // the balance, so a swap cannot pass
    }

    @Provide
    Arbitrary<ProcessedCommand> processed() {
        Arbitrary<Tuple.Tuple3<String, String, String>> limits = Combinators.combine(text(), text(), text())
                .as(Tuple::of);
        Arbitrary<Command> commands = Combinators.combine(Combinators.combine(constant(CommandType.class), text(),
                text(), text(), text(), text(), text(), text()).as(Tuple::of), text(),
                Arbitraries.of(Boolean.TRUE, Boolean.FALSE).injectNull(0.5), text(), limits)
                .as((t, principal, admin, owner, l) -> new Command(t.get1(), t.get2(), t.get3(), t.get4(), t.get5(),
                        t.get6(), t.get7(), t.get8(), principal, admin, owner, l.get1(), l.get2(), l.get3()));
        commands = Combinators.combine(commands, text(), fraudRules()).as((c, reviewId, rules) -> new Command(
                c.type(), c.transactionId(), c.accountId(), c.amount(), c.currency(), c.toAccountId(), c.reference(),
                c.interestRate(), c.principal(), c.admin(), c.owner(), c.overdraftLimit(), c.dailyOutflowLimit(),
                c.debitInterestRate(), c.holdId(), c.expiresAt(), c.fx(), reviewId, rules));
        Arbitrary<Outcome> outcomes = Combinators.combine(Combinators.combine(text(), text(), constant(CommandType.class),
                constant(OutcomeStatus.class), constant(RejectionReason.class), text(), anyLong().injectNull(0.2),
                anyLong().injectNull(0.2)).as(Tuple::of), Combinators.combine(text(), anyLong(),
                Arbitraries.of(true, false), anyLong(), text(), constant(TransferStatus.class), text(), text())
                .as(Tuple::of)).as((a, b) -> new Outcome(a.get1(), a.get2(), a.get3(), a.get4(), a.get5(), a.get6(),
                a.get7(), a.get8(), b.get1(), b.get2(), b.get3(), b.get4(), b.get5(), b.get6(), b.get7(), b.get8()));
        return Combinators.combine(Combinators.combine(commands, quotes()).as(Command::convertedAt).injectNull(0.1),
                Combinators.combine(outcomes, conversions()).as(Outcome::converting).injectNull(0.1))
                .as(ProcessedCommand::new);
    }

    Arbitrary<FraudRules> fraudRules() {
        Arbitrary<Integer> counts = Arbitraries.integers().injectNull(0.3);
        return Combinators.combine(Arbitraries.of(Boolean.TRUE, Boolean.FALSE).injectNull(0.4), counts, counts,
                text(), text(), text()).as(FraudRules::new).injectNull(0.3);
    }

    private static Arbitrary<long[]> longArrays() {
        return anyLong().array(long[].class).ofMaxSize(FraudProfile.MAX_OUTFLOWS);
    }

    @Provide
    Arbitrary<FraudProfile> profiles() {
        Arbitrary<List<String>> payees = text().filter(java.util.Objects::nonNull).list().ofMaxSize(8);
        return Combinators.combine(longArrays(), longArrays(), longArrays(), longArrays(), payees, fraudRules())
                .as(FraudProfile::new);
    }

    @Provide
    Arbitrary<FraudReview> reviews() {
        Arbitrary<java.util.Map<String, String>> evidence = Arbitraries.maps(
                text().filter(java.util.Objects::nonNull), text().filter(java.util.Objects::nonNull)).ofMaxSize(4)
                .map(java.util.TreeMap::new);
        Arbitrary<FraudFinding> findings = Combinators.combine(constant(FraudRule.class), Arbitraries.integers(),
                text(), evidence).as(FraudFinding::new);
        Arbitrary<Command> commands = processed().map(ProcessedCommand::command);
        return Combinators.combine(Combinators.combine(text(), text(), commands, anyLong(), text(),
                Arbitraries.integers(), findings.list().ofMaxSize(6), constant(ReviewStatus.class)).as(Tuple::of),
                Combinators.combine(anyLong(), anyLong(), constant(ReviewStatus.class), anyLong().injectNull(0.3),
                text()).as(Tuple::of))
                .as((a, b) -> new FraudReview(a.get1(), a.get2(), a.get3(), a.get4(), a.get5(), a.get6(), a.get7(),
                        a.get8(), b.get1(), b.get2() ^ 0x1f1f, b.get3(), b.get4(), b.get5()));
    }

    Arbitrary<FxQuote> quotes() {
        return Combinators.combine(text(), text(), text(), text(), text()).as(FxQuote::new).injectNull(0.3);
    }

    /** Conversions whose two amounts differ, so swapped fields cannot pass. */
    Arbitrary<FxConversion> conversions() {
        return Combinators.combine(text(), text(), anyLong(), text(), anyLong(), text())
                .as((q, rate, source, from, target, to) -> new FxConversion(q, rate, source, from, target ^ 0x3c3c, to))
                .injectNull(0.3);
    }

    @Provide
    Arbitrary<Transfer> transfers() {
        return Combinators.combine(Combinators.combine(text(), constant(Transfer.Direction.class), text(), text(),
                anyLong(), text(), text(), constant(TransferStatus.class)).as(Tuple::of),
                constant(RejectionReason.class), text(), anyLong(), anyLong().injectNull(0.3), conversions())
                .as((t, reason, detail, created, completed, fx) -> new Transfer(t.get1(), t.get2(), t.get3(),
                        t.get4(), t.get5(), t.get6(), t.get7(), t.get8(), reason, detail, created, completed, fx));
    }

    @Provide
    Arbitrary<AccountEvent> events() {
        Arbitrary<Hold> holds = Combinators.combine(Combinators.combine(text(), text(), anyLong(), anyLong(), text(),
                text(), constant(HoldStatus.class), anyLong().injectNull(0.3)).as(Tuple::of), anyLong(),
                anyLong().injectNull(0.3)).as((t, created, closed) -> new Hold(t.get1(), t.get2(), t.get3(),
                t.get4() ^ 0x2d2d, t.get5(), t.get6(), t.get7(), t.get8(), created, closed));
        Arbitrary<HoldEvent> changes = Combinators.combine(text(), text(), constant(HoldEvent.Type.class), anyLong(),
                text(), anyLong(), holds.injectNull(0.1)).as((account, hold, type, amount, tx, at, h) ->
                new HoldEvent(account, hold, type, amount, tx, at ^ 0x4b4b, h)).injectNull(0.4);
        return Combinators.combine(Combinators.combine(text(), anyLong(), constant(AccountEventType.class), anyLong(),
                text(), anyLong(), anyLong(), anyLong()).as(Tuple::of), text(),
                history().map(h -> h == null ? null : h.entry()).injectNull(0.4), changes, text())
                .as((t, owner, posting, change, month) -> new AccountEvent(t.get1(), t.get2(), t.get3(),
                        t.get4() ^ 0x1e1e, t.get5(), t.get6(), t.get7() ^ 0x7777, t.get8() ^ 0x3333, owner, posting,
                        change, month));
    }

    @Provide
    Arbitrary<HistoryEntry> history() {
        Arbitrary<LedgerEntry> entries = Combinators.combine(Combinators.combine(text(), text(),
                constant(EntryType.class), anyLong(), text(), anyLong(), anyLong(), anyLong()).as(Tuple::of),
                anyLong(), text(), text(), text(), text()).as((t, timestamp, transfer, counterparty, reference,
                principal) -> new LedgerEntry(t.get1(), t.get2(), t.get3(), t.get4(), t.get5(), t.get6(), t.get7(),
                t.get8(), timestamp, transfer, counterparty, reference, principal));
        return Combinators.combine(Combinators.combine(entries, conversions()).as(LedgerEntry::converting)
                .injectNull(0.1), anyLong()).as(HistoryEntry::new);
    }
}
