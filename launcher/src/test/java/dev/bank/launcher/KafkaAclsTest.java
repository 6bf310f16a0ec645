package dev.bank.launcher;

import dev.bank.schemas.Topics;

import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The role ACLs as data; KafkaAclIT shows on a broker that they are enough and no more. */
class KafkaAclsTest {

    private static final Topics TOPICS = Topics.defaults();
    private static final List<AclBinding> ACLS = KafkaAcls.bindings(TOPICS, "bank-processor", KafkaAcls.Roles.defaults());

    @Test
    void theProcessorNeverWritesCommandsItsInterestTicksGoToTheReroutedTopic() {
        assertThat(operations("User:processor", ResourceType.TOPIC, TOPICS.commands()))
                .containsExactlyInAnyOrder(AclOperation.READ, AclOperation.DESCRIBE);
        assertThat(operations("User:processor", ResourceType.TOPIC, TOPICS.rerouted()))
                .contains(AclOperation.READ, AclOperation.WRITE);
    }

    @Test
    void theUpstreamProducerMayOnlyWriteCommandsAndRates() {
        assertThat(ACLS.stream().filter(a -> a.entry().principal().equals("User:upstream")))
                .extracting(a -> a.pattern().name() + " " + a.entry().operation())
                .containsExactlyInAnyOrder(TOPICS.commands() + " WRITE", TOPICS.commands() + " DESCRIBE",
                        TOPICS.fxRates() + " WRITE", TOPICS.fxRates() + " DESCRIBE");
    }

    @Test
    void fraudAlertsAreWrittenOnlyByTheProcessorAndReadOnlyByTheMonitor() {
        String alerts = TOPICS.fraudAlerts();
        assertThat(alerts).isEqualTo(Topics.DEFAULT_FRAUD_ALERTS);
        assertThat(operations("User:processor", ResourceType.TOPIC, alerts))
                .containsExactlyInAnyOrder(AclOperation.WRITE, AclOperation.DESCRIBE);
        assertThat(operations("User:monitor", ResourceType.TOPIC, alerts))
                .containsExactlyInAnyOrder(AclOperation.READ, AclOperation.DESCRIBE);
        // they name rules and thresholds: whoever serves or is a customer never reads them, and no one else writes
        assertThat(operations("User:gateway", ResourceType.TOPIC, alerts)).isEmpty();
        assertThat(operations("User:upstream", ResourceType.TOPIC, alerts)).isEmpty();
        assertThat(ACLS).filteredOn(a -> a.pattern().name().equals(alerts))
                .extracting(a -> a.entry().principal()).containsOnly("User:processor", "User:monitor");
        // as the other monitoring topics are granted
        assertThat(operations("User:monitor", ResourceType.TOPIC, TOPICS.holds()))
                .isEqualTo(operations("User:monitor", ResourceType.TOPIC, alerts));
    }

    @Test
    void aRenamedAlertsTopicIsGrantedUnderItsNewName() {
        Topics renamed = Topics.fromEnv(Map.of("BANK_TOPIC_FRAUD_ALERTS", "prod.fraud-alerts"));
        List<AclBinding> acls = KafkaAcls.bindings(renamed, "bank-processor", KafkaAcls.Roles.defaults());
        assertThat(acls).anyMatch(a -> a.pattern().name().equals("prod.fraud-alerts")
                && a.entry().principal().equals("User:processor") && a.entry().operation() == AclOperation.WRITE);
        assertThat(acls).noneMatch(a -> a.pattern().name().equals(Topics.DEFAULT_FRAUD_ALERTS));
    }

    @Test
    void streamsResourcesAreGrantedByPrefixOnTheApplicationIdOnlyToTheProcessor() {
        List<AclBinding> prefixed = ACLS.stream()
                .filter(a -> a.pattern().patternType() == PatternType.PREFIXED).toList();
        assertThat(prefixed.stream().filter(a -> a.pattern().name().equals("bank-processor")))
                .allMatch(a -> a.entry().principal().equals("User:processor"))
                .extracting(a -> a.pattern().resourceType())
                .contains(ResourceType.TOPIC, ResourceType.GROUP, ResourceType.TRANSACTIONAL_ID);
        assertThat(prefixed.stream().filter(a -> a.entry().principal().equals("User:monitor")))
                .extracting(a -> a.pattern().resourceType() + " " + a.pattern().name())
                .containsOnly("GROUP monitor-");
    }

    @Test
    void namesComeFromTheEnvironmentSoARenameCannotLeaveARoleWithoutItsTopic() {
        Topics renamed = Topics.fromEnv(Map.of("BANK_TOPIC_COMMANDS", "prod.commands"));
        KafkaAcls.Roles roles = KafkaAcls.Roles.fromEnv(Map.of("BANK_ACL_GATEWAY_PRINCIPAL", "User:web"));
        List<AclBinding> acls = KafkaAcls.bindings(renamed, "bank-prod", roles);
        assertThat(acls).anyMatch(a -> a.entry().principal().equals("User:web")
                && a.pattern().name().equals("prod.commands") && a.entry().operation() == AclOperation.WRITE);
        assertThat(acls).noneMatch(a -> a.pattern().name().equals(Topics.DEFAULT_COMMANDS));
        assertThat(acls).anyMatch(a -> a.pattern().name().equals("bank-prod")
                && a.pattern().resourceType() == ResourceType.TRANSACTIONAL_ID);
    }

    @Test
    void onlyTheGatewayAndTheNotifierReadTheSubscriptionsWithTheirSecretsAndOnlyTheGatewayWritesThem() {
        assertThat(ACLS.stream().filter(a -> a.pattern().name().equals(Topics.DEFAULT_WEBHOOKS)
                        && a.entry().operation() == AclOperation.READ).map(a -> a.entry().principal()))
                .containsExactlyInAnyOrder("User:gateway", "User:notifier");
        assertThat(ACLS.stream().filter(a -> a.pattern().name().equals(Topics.DEFAULT_WEBHOOKS)
                        && a.entry().operation() == AclOperation.WRITE).map(a -> a.entry().principal()))
                .containsExactly("User:gateway");
        assertThat(operations("User:notifier", ResourceType.TOPIC, Topics.DEFAULT_ACCOUNT_EVENTS))
                .containsExactlyInAnyOrder(AclOperation.READ, AclOperation.DESCRIBE);
        assertThat(operations("User:notifier", ResourceType.TOPIC, Topics.DEFAULT_WEBHOOK_DEAD_LETTERS))
                .containsExactlyInAnyOrder(AclOperation.READ, AclOperation.WRITE, AclOperation.DESCRIBE);
        assertThat(operations("User:notifier", ResourceType.TOPIC, Topics.DEFAULT_WEBHOOK_REPLAYS))
                .containsExactlyInAnyOrder(AclOperation.READ, AclOperation.DESCRIBE);
        assertThat(operations("User:gateway", ResourceType.TOPIC, Topics.DEFAULT_WEBHOOK_REPLAYS))
                .containsExactlyInAnyOrder(AclOperation.WRITE, AclOperation.DESCRIBE);
        assertThat(operations("User:notifier", ResourceType.GROUP, "bank-notifier")).contains(AclOperation.READ);
        assertThat(ACLS).filteredOn(a -> a.entry().principal().equals("User:notifier"))
                .noneMatch(a -> a.pattern().name().equals(Topics.DEFAULT_COMMANDS)
                        || a.pattern().name().equals(Topics.DEFAULT_LEDGER));
        assertThat(KafkaAcls.Roles.fromEnv(Map.of("BANK_NOTIFIER_GROUP_ID", "hooks")).notifierGroup()).isEqualTo("hooks");
    }

    @Test
    void nothingIsGrantedOnTheClusterOrToEveryone() {
        assertThat(ACLS).noneMatch(a -> a.pattern().resourceType() == ResourceType.CLUSTER);
        assertThat(ACLS).noneMatch(a -> a.entry().principal().equals("User:*"));
        assertThat(ACLS).noneMatch(a -> a.entry().operation() == AclOperation.ALL);
    }

    private static Set<AclOperation> operations(String principal, ResourceType type, String name) {
        return ACLS.stream().filter(a -> a.entry().principal().equals(principal)
                        && a.pattern().resourceType() == type && a.pattern().name().equals(name))
                .map(a -> a.entry().operation()).collect(Collectors.toSet());
    }
}
