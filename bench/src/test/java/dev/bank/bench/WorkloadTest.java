package dev.bank.bench;

import dev.bank.schemas.CommandType;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class WorkloadTest {

    @Test
    void idsAreFreshPerRunAndMapBackToTheirIndex() {
        Workload a = new Workload("run1", Scenario.KAFKA_DIRECT, 10, 100);
        Workload b = new Workload("run2", Scenario.KAFKA_DIRECT, 10, 100);
        assertThat(a.transactionId(7)).isNotEqualTo(b.transactionId(7));
        assertThat(a.indexOf(a.transactionId(42))).isEqualTo(42);
        assertThat(a.indexOf(b.transactionId(42))).isEqualTo(-1);
        assertThat(a.indexOf(a.transactionId(42) + "0")).isEqualTo(-1); // 420 is out of range
        assertThat(a.openIndexOf(a.openTransactionId(3))).isEqualTo(3);
        assertThat(a.indexOf(a.openTransactionId(3))).isEqualTo(-1);
    }

    @Test
    void everyFourthCommandOfAnAccountIsADebitAndTheExpectedBalancesAddUp() {
        Workload w = new Workload("r", Scenario.HOT_ACCOUNT, 1, 8);
        assertThat(w.command(0).type()).isEqualTo(CommandType.CREDIT);
        assertThat(w.command(3).type()).isEqualTo(CommandType.DEBIT);
        assertThat(w.command(3).amount()).isEqualTo("0.04");
        // 1000.00 + (1 + 2 + 3 - 4) + (5 + 6 + 7 - 8) cents
        assertThat(w.expectedBalances(8)).isEqualTo(Map.of(w.accountIds().get(0), 100_000L + 2 + 10));
        assertThat(w.expectedBalances(0)).isEqualTo(Map.of(w.accountIds().get(0), 100_000L));
    }
}
