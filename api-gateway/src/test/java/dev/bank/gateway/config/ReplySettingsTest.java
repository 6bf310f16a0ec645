package dev.bank.gateway.config;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which partition of the replies topic a gateway instance reads ({@link ReplySettings}). */
class ReplySettingsTest {

    @Test
    void anExplicitPartitionIsReadAsSetAndOneTheTopicDoesNotHaveIsRefusedWithWhy() {
        ReplySettings settings = ReplySettings.fromEnv(Map.of("BANK_GATEWAY_REPLY_PARTITION", " 7 ",
                "BANK_GATEWAY_INSTANCE_ID", "gw-a"));
        assertThat(settings.partition()).isEqualTo(7);
        assertThat(settings.partitionOf(16)).isEqualTo(7);
        assertThatThrownBy(() -> settings.partitionOf(4)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("BANK_GATEWAY_REPLY_PARTITION is 7").hasMessageContaining("4 partitions");
    }

    @Test
    void aPartitionThatIsNotOneIsAConfigurationError() {
        assertThatThrownBy(() -> ReplySettings.fromEnv(Map.of("BANK_GATEWAY_REPLY_PARTITION", "-1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 or more");
        assertThatThrownBy(() -> ReplySettings.fromEnv(Map.of("BANK_GATEWAY_REPLY_PARTITION", "three")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a partition number");
    }

    @Test
    void withoutAnIdTheInstanceIsNamedByItsHost() {
        assertThat(ReplySettings.fromEnv(Map.of("HOSTNAME", "gateway-7d9f-x2")).instanceId())
                .isEqualTo("gateway-7d9f-x2");
        assertThat(ReplySettings.fromEnv(Map.of()).instanceId()).isNotBlank();
        assertThat(ReplySettings.fromEnv(Map.of("BANK_GATEWAY_INSTANCE_ID", "gw-1", "HOSTNAME", "h")).instanceId())
                .isEqualTo("gw-1");
    }

    @Property
    void aDerivedPartitionIsStableForAnIdAndWithinTheTopic(@ForAll @StringLength(min = 1, max = 60) String id,
                                                          @ForAll @IntRange(min = 1, max = 1000) int count) {
        if (id.isBlank()) return;
        ReplySettings settings = new ReplySettings(id, null);
        int partition = settings.partitionOf(count);
        assertThat(partition).isBetween(0, count - 1);
        assertThat(new ReplySettings(id, null).partitionOf(count)).as("a restart reads the same one")
                .isEqualTo(partition);
    }

    @Test
    void derivedPartitionsSpreadInstances() {
        Set<Integer> used = new HashSet<>();
        for (int i = 0; i < 64; i++) used.add(new ReplySettings("gateway-" + i, null).partitionOf(16));
        assertThat(used).as("64 instances over 16 partitions").hasSizeGreaterThan(12);
    }
}
