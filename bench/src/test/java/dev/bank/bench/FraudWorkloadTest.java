package dev.bank.bench;

import dev.bank.bench.FraudWorkload.Labelled;
import dev.bank.bench.FraudWorkload.Pattern;
import dev.bank.bench.FraudWorkload.Settings;
import dev.bank.schemas.Command;
import dev.bank.schemas.CommandType;
import dev.bank.schemas.Money;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Currency;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The labelled workload's shape: deterministic, in time order, funded, its labels where the plan puts them. */
class FraudWorkloadTest {
    private static final Instant START = Instant.parse("2025-03-03T00:00:00Z");
    private static final Currency EUR = Currency.getInstance("EUR");
    private static final Settings SETTINGS = new Settings(42L, 60, 42, 14, 3);

    @Test
    void theSameSeedGivesTheSameCommandsAndAnotherSeedOthers() {
        FraudWorkload a = FraudWorkload.generate(SETTINGS, START, "w");
        FraudWorkload b = FraudWorkload.generate(SETTINGS, START, "w");
        FraudWorkload other = FraudWorkload.generate(new Settings(43L, 60, 42, 14, 3), START, "w");

        assertThat(b.commands()).isEqualTo(a.commands());
        assertThat(other.commands()).isNotEqualTo(a.commands());
    }

    @Test
    void commandsComeInTimeOrderWithUniqueIdsSpreadOverTheDays() {
        List<Labelled> commands = FraudWorkload.generate(SETTINGS, START, "w").commands();

        for (int i = 1; i < commands.size(); i++) {
            assertThat(commands.get(i).timestamp()).isGreaterThanOrEqualTo(commands.get(i - 1).timestamp());
        }
        assertThat(commands.stream().map(l -> l.command().transactionId()).distinct()).hasSameSizeAs(commands);
        Set<Long> days = commands.stream().map(l -> (l.timestamp() - START.toEpochMilli()) / Duration.ofDays(1)
                .toMillis()).collect(Collectors.toSet());
        assertThat(days).hasSize(SETTINGS.days());
        // no two payments of a customer's ordinary day share a second: activity is spread, not a burst
        long sameSecond = commands.stream().filter(Labelled::screened)
                .collect(Collectors.groupingBy(l -> l.timestamp() / 1000, Collectors.counting()))
                .values().stream().filter(c -> c > 1).count();
        assertThat(sameSecond).isLessThan(commands.size() / 100);
        // every account is opened (and its rules set) before it is used
        Set<String> opened = new HashSet<>();
        for (Labelled l : commands) {
            Command c = l.command();
            if (c.type() == CommandType.OPEN_ACCOUNT) opened.add(c.accountId());
            else assertThat(opened).as(c.transactionId()).contains(c.accountId());
            if (c.type() == CommandType.TRANSFER) assertThat(opened).contains(c.toAccountId());
        }
    }

    @Test
    void everyPatternHasItsIncidentsAllInTheMeasuredDaysAndTheHistoryIsNotScored() {
        FraudWorkload w = FraudWorkload.generate(SETTINGS, START, "w");
        long measured = START.plus(Duration.ofDays(SETTINGS.historyDays())).toEpochMilli();

        Map<Pattern, Long> incidents = w.incidents().values().stream()
                .collect(Collectors.groupingBy(p -> p, Collectors.counting()));
        for (Pattern p : Pattern.values()) {
            if (p.fraud()) assertThat(incidents.get(p)).as(p.toString()).isEqualTo(SETTINGS.incidentsPerPattern());
        }
        for (Labelled l : w.commands()) {
            if (l.pattern().fraud()) {
                assertThat(l.timestamp()).isGreaterThanOrEqualTo(measured);
                assertThat(l.incident()).isNotNegative();
            }
            assertThat(l.history()).isEqualTo(l.timestamp() < measured);
            if (l.history()) assertThat(l.scored()).isFalse();
        }
        // the mule's money in is labelled too, though only payments are checked
        assertThat(w.commands()).anySatisfy(l -> {
            assertThat(l.pattern()).isEqualTo(Pattern.MULE);
            assertThat(l.command().type()).isEqualTo(CommandType.CREDIT);
            assertThat(l.scored()).isFalse();
        });
        assertThat(w.commands().stream().filter(l -> l.scored() && !l.pattern().fraud())
                .map(Labelled::behaviour).distinct())
                .contains("card", "rent", "bill", "savings", "supplier", "payroll", "big-purchase", "shopping-spree",
                        "new-tradesman");
    }

    @Test
    void everyAccountOpensWithEnoughForAllItPays() {
        FraudWorkload w = FraudWorkload.generate(SETTINGS, START, "w");
        Map<String, Long> deposit = new HashMap<>();
        Map<String, Long> paid = new HashMap<>();
        for (Labelled l : w.commands()) {
            Command c = l.command();
            switch (c.type()) {
                case OPEN_ACCOUNT -> deposit.put(c.accountId(), c.amount() == null ? 0 : minor(c.amount()));
                case DEBIT, TRANSFER -> paid.merge(c.accountId(), minor(c.amount()), Long::sum);
                default -> { }
            }
        }
        paid.forEach((account, out) -> assertThat(deposit.get(account)).as(account).isGreaterThanOrEqualTo(out));
    }

    @Test
    void aWorkloadSizedForNHasAboutNCommands() {
        Settings about = Settings.about(1L, 20_000);
        assertThat(about.customers()).isEqualTo(200);
        assertThat(about.incidentsPerPattern()).isEqualTo(10);
        int size = FraudWorkload.generate(about, START, "n").commands().size();
        assertThat(size).isBetween(15_000, 30_000);
        // the smallest still has every pattern
        assertThat(FraudWorkload.generate(Settings.about(1L, 50), START, "s").incidents()).hasSize(6);
        assertThatThrownBy(() -> new Settings(1L, 10, 14, 14, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    private static long minor(String amount) {
        return Money.toMinor(amount, EUR, null);
    }
}
