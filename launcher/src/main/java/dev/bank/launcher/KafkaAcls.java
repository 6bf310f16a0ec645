package dev.bank.launcher;

import dev.bank.observability.KafkaSecurity;
import dev.bank.schemas.Topics;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.apache.kafka.common.acl.AclOperation.CREATE;
import static org.apache.kafka.common.acl.AclOperation.DELETE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE_CONFIGS;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.WRITE;

/**
 * The Kafka permissions of the five roles, derived from the topic names and the processor's application id, so
 * that a renamed topic or application id cannot leave an ACL behind on the old name:
 * <ul>
 *   <li><b>gateway</b>: write commands, read replies (each instance its own partition, with {@code assign()} and no
 *       group; not the results: it needs only the answers to its own requests), read and write exchange rates (read
 *       with {@code assign()} too; written for {@code POST /fx/rates});</li>
 *   <li><b>processor</b>: read commands, transfer legs and rerouted commands; write results, replies, ledger, transfer
 *       legs, dead letters, rerouted commands, hold events and fraud alerts; everything Kafka Streams needs under its
 *       application id, by prefix: its consumer group, its internal topics ({@code <application.id>-...-changelog},
 *       created by Streams) and its exactly_once_v2 transactional ids;</li>
 *   <li><b>upstream</b> (an external system producing commands, or a rates feed): write commands and exchange rates,
 *       nothing else;</li>
 *   <li><b>monitor</b>: read results, the ledger, holds, exchange rates, fraud alerts, account events and webhook dead
 *       letters, in consumer groups named with its prefix ({@code monitor-});</li>
 *   <li><b>notifier</b>: read account events in its consumer groups (its group id, by prefix), webhook subscriptions and
 *       replays; write and read webhook dead letters. The gateway writes subscriptions and replays and reads the
 *       subscriptions: the secrets in them are for these two only.</li>
 * </ul>
 * Fraud alerts name the rules and thresholds that stopped a payment, so only the processor writes them and only the
 * operators' monitor reads them: not the gateway, which serves customers, nor an upstream producer.
 * Everything not listed is denied (the brokers run with {@code allow.everyone.if.no.acl.found=false}).
 * Idempotent producers need no IdempotentWrite on the cluster since Kafka 2.8: WRITE on a topic suffices.
 * Creating an ACL that exists is a no-op in Kafka, so {@code bank acls} can run on every deployment.
 */
public final class KafkaAcls {

    /** The principals of the roles; each may be renamed, e.g. to match an existing user naming scheme. */
    public record Roles(String gateway, String processor, String upstream, String monitor, String monitorGroupPrefix,
                        String notifier, String notifierGroup) {

        public static Roles defaults() {
            return new Roles("User:gateway", "User:processor", "User:upstream", "User:monitor", "monitor-",
                    "User:notifier", "bank-notifier");
        }

        public static Roles fromEnv(Map<String, String> env) {
            Roles d = defaults();
            return new Roles(
                    env.getOrDefault("BANK_ACL_GATEWAY_PRINCIPAL", d.gateway()),
                    env.getOrDefault("BANK_ACL_PROCESSOR_PRINCIPAL", d.processor()),
                    env.getOrDefault("BANK_ACL_UPSTREAM_PRINCIPAL", d.upstream()),
                    env.getOrDefault("BANK_ACL_MONITOR_PRINCIPAL", d.monitor()),
                    env.getOrDefault("BANK_ACL_MONITOR_GROUP_PREFIX", d.monitorGroupPrefix()),
                    env.getOrDefault("BANK_ACL_NOTIFIER_PRINCIPAL", d.notifier()),
                    // the notifier's consumer groups are its group id and that id with "-replays"
                    env.getOrDefault("BANK_NOTIFIER_GROUP_ID", d.notifierGroup()));
        }
    }

    private KafkaAcls() {
    }

    public static List<AclBinding> bindings(Topics topics, String applicationId, Roles roles) {
        List<AclBinding> acls = new ArrayList<>();

        allow(acls, roles.gateway(), topic(topics.commands()), WRITE, DESCRIBE);
        // each instance reads its own partition of the replies; the results are for monitors and upstream systems
        allow(acls, roles.gateway(), topic(topics.replies()), READ, DESCRIBE);
        // the gateway reads the rates to quote them, and publishes what an admin posts to POST /fx/rates
        allow(acls, roles.gateway(), topic(topics.fxRates()), READ, WRITE, DESCRIBE);
        // the live event streams follow every account's events (assigned partitions, no consumer group)
        allow(acls, roles.gateway(), topic(topics.accountEvents()), READ, DESCRIBE);
        // webhook subscriptions: written for POST/DELETE /webhooks and read whole (no group); replays only written
        allow(acls, roles.gateway(), topic(topics.webhooks()), READ, WRITE, DESCRIBE);
        allow(acls, roles.gateway(), topic(topics.webhookReplays()), WRITE, DESCRIBE);

        for (String input : List.of(topics.commands(), topics.transferLegs(), topics.rerouted())) {
            allow(acls, roles.processor(), topic(input), READ, DESCRIBE);
        }
        for (String output : List.of(topics.results(), topics.replies(), topics.ledger(), topics.transferLegs(),
                topics.deadLetter(), topics.rerouted(), topics.holds(), topics.fraudAlerts(), topics.accountEvents())) {
            allow(acls, roles.processor(), topic(output), WRITE, DESCRIBE);
        }
        // Streams creates and validates its changelogs (describe + describe configs) and, for repartition topics,
        // purges what it has consumed (delete records)
        allow(acls, roles.processor(), prefixed(ResourceType.TOPIC, applicationId),
                CREATE, READ, WRITE, DESCRIBE, DESCRIBE_CONFIGS, DELETE);
        allow(acls, roles.processor(), prefixed(ResourceType.GROUP, applicationId), READ, DESCRIBE);
        allow(acls, roles.processor(), prefixed(ResourceType.TRANSACTIONAL_ID, applicationId), WRITE, DESCRIBE);

        allow(acls, roles.upstream(), topic(topics.commands()), WRITE, DESCRIBE);
        allow(acls, roles.upstream(), topic(topics.fxRates()), WRITE, DESCRIBE);

        for (String readable : List.of(topics.results(), topics.ledger(), topics.holds(), topics.fxRates(),
                topics.fraudAlerts(), topics.accountEvents())) {
            allow(acls, roles.monitor(), topic(readable), READ, DESCRIBE);
        }
        allow(acls, roles.monitor(), prefixed(ResourceType.GROUP, roles.monitorGroupPrefix()), READ, DESCRIBE);
        // operators see what the notifier gave up on (events, no secrets)
        allow(acls, roles.monitor(), topic(topics.webhookDeadLetters()), READ, DESCRIBE);

        // the notifier reads the events in its own groups, the subscriptions (with their secrets) and the replays,
        // and writes (and, for a replay, reads) its dead letters
        for (String readable : List.of(topics.accountEvents(), topics.webhooks(), topics.webhookReplays())) {
            allow(acls, roles.notifier(), topic(readable), READ, DESCRIBE);
        }
        allow(acls, roles.notifier(), topic(topics.webhookDeadLetters()), READ, WRITE, DESCRIBE);
        allow(acls, roles.notifier(), prefixed(ResourceType.GROUP, roles.notifierGroup()), READ, DESCRIBE);
        return List.copyOf(acls);
    }

    /** Creates the bindings (existing ones are left as they are). */
    public static void create(Admin admin, List<AclBinding> bindings, Duration timeout) {
        await(admin.createAcls(bindings).all(), timeout, "creating " + bindings.size() + " ACLs");
    }

    /**
     * Sets (creates or replaces) the SCRAM-SHA-512 credential of each role whose password file is given in the
     * environment: {@code BANK_ACL_GATEWAY_PASSWORD_FILE}, {@code _PROCESSOR_}, {@code _UPSTREAM_},
     * {@code _MONITOR_}, {@code _NOTIFIER_}. The user name is the principal's name without {@code User:}.
     *
     * @return the user names whose credentials were set
     */
    public static List<String> upsertScramUsers(Admin admin, Roles roles, Map<String, String> env, Duration timeout) {
        Map<String, String> passwordFiles = new LinkedHashMap<>();
        passwordFiles.put(roles.gateway(), env.get("BANK_ACL_GATEWAY_PASSWORD_FILE"));
        passwordFiles.put(roles.processor(), env.get("BANK_ACL_PROCESSOR_PASSWORD_FILE"));
        passwordFiles.put(roles.upstream(), env.get("BANK_ACL_UPSTREAM_PASSWORD_FILE"));
        passwordFiles.put(roles.monitor(), env.get("BANK_ACL_MONITOR_PASSWORD_FILE"));
        passwordFiles.put(roles.notifier(), env.get("BANK_ACL_NOTIFIER_PASSWORD_FILE"));
        Map<String, String> passwords = new LinkedHashMap<>();
        passwordFiles.forEach((principal, file) -> {
            if (file != null && !file.isBlank()) {
                passwords.put(userName(principal), KafkaSecurity.readSecret(Path.of(file.trim())));
            }
        });
        return upsertScramUsers(admin, passwords, timeout);
    }

    /** Sets the SCRAM-SHA-512 credential of each user name to its password. */
    public static List<String> upsertScramUsers(Admin admin, Map<String, String> passwords, Duration timeout) {
        if (passwords.isEmpty()) {
            return List.of();
        }
        List<UserScramCredentialAlteration> upserts = new ArrayList<>();
        passwords.forEach((user, password) -> upserts.add(new UserScramCredentialUpsertion(user,
                new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), password)));
        await(admin.alterUserScramCredentials(upserts).all(), timeout, "setting SCRAM credentials");
        return List.copyOf(passwords.keySet());
    }

    static String userName(String principal) {
        return principal.startsWith("User:") ? principal.substring("User:".length()) : principal;
    }

    private static void allow(List<AclBinding> acls, String principal, ResourcePattern resource,
                              AclOperation... operations) {
        for (AclOperation operation : operations) {
            acls.add(new AclBinding(resource, new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW)));
        }
    }

    private static ResourcePattern topic(String name) {
        return new ResourcePattern(ResourceType.TOPIC, name, PatternType.LITERAL);
    }

    private static ResourcePattern prefixed(ResourceType type, String prefix) {
        return new ResourcePattern(type, prefix, PatternType.PREFIXED);
    }

    private static void await(org.apache.kafka.common.KafkaFuture<Void> future, Duration timeout, String what) {
        try {
            future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(what + " failed", e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException(what + " took more than " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + what, e);
        }
    }
}
