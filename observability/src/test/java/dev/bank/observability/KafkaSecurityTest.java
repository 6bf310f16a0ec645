package dev.bank.observability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KafkaSecurityTest {

    @Test
    void withNothingSetClientsStayPlaintext() {
        KafkaSecurity security = KafkaSecurity.fromEnv(Map.of());
        assertThat(security).isEqualTo(KafkaSecurity.PLAINTEXT);
        assertThat(security.clientProperties()).containsExactly(Map.entry("security.protocol", "PLAINTEXT"));
    }

    @Test
    void saslDefaultsToScramSha512WithTheScramLoginModule() {
        KafkaSecurity security = KafkaSecurity.fromEnv(Map.of("BANK_KAFKA_SECURITY_PROTOCOL", "sasl_plaintext",
                "BANK_KAFKA_USERNAME", "gateway", "BANK_KAFKA_PASSWORD", "s3cret"));
        assertThat(security.clientProperties())
                .containsEntry("security.protocol", "SASL_PLAINTEXT")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required"
                        + " username=\"gateway\" password=\"s3cret\";");
    }

    @Test
    void plainMechanismUsesThePlainLoginModule() {
        KafkaSecurity security = KafkaSecurity.fromEnv(Map.of("BANK_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "BANK_KAFKA_SASL_MECHANISM", "PLAIN", "BANK_KAFKA_USERNAME", "admin", "BANK_KAFKA_PASSWORD", "x"));
        assertThat((String) security.clientProperties().get("sasl.jaas.config"))
                .startsWith("org.apache.kafka.common.security.plain.PlainLoginModule required");
        assertThat(security.clientProperties()).containsEntry("security.protocol", "SASL_SSL");
    }

    @Test
    void passwordFileIsReadWithoutItsTrailingLineBreak(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("password");
        Files.writeString(file, "from-a-docker-secret\n");
        KafkaSecurity security = KafkaSecurity.fromEnv(Map.of("BANK_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT",
                "BANK_KAFKA_USERNAME", "processor", "BANK_KAFKA_PASSWORD_FILE", file.toString()));
        assertThat(security.password()).isEqualTo("from-a-docker-secret");
    }

    @Test
    void quotesAndBackslashesInAPasswordAreEscapedForJaas() {
        KafkaSecurity security = KafkaSecurity.scram("u", "a\"b\\c");
        assertThat((String) security.clientProperties().get("sasl.jaas.config")).contains("password=\"a\\\"b\\\\c\";");
    }

    @Test
    void thePasswordNeverAppearsInToString() {
        KafkaSecurity security = KafkaSecurity.scram("monitor", "hunter2-very-secret");
        assertThat(security.toString()).contains("monitor", "SCRAM-SHA-512").doesNotContain("hunter2");
    }

    @Test
    void refusesSaslWithoutCredentials() {
        assertThatThrownBy(() -> KafkaSecurity.fromEnv(Map.of("BANK_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT",
                "BANK_KAFKA_USERNAME", "gateway")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("BANK_KAFKA_PASSWORD");
        assertThatThrownBy(() -> KafkaSecurity.fromEnv(Map.of("BANK_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT",
                "BANK_KAFKA_PASSWORD", "x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("BANK_KAFKA_USERNAME");
    }

    @Test
    void refusesCredentialsWithoutSaslSoAServiceNeverRunsAnonymousByMistake() {
        assertThatThrownBy(() -> KafkaSecurity.fromEnv(Map.of("BANK_KAFKA_USERNAME", "gateway",
                "BANK_KAFKA_PASSWORD", "x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PLAINTEXT");
    }

    @Test
    void refusesBothPasswordSourcesAndUnknownSettings() {
        assertThatThrownBy(() -> KafkaSecurity.fromEnv(Map.of("BANK_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT",
                "BANK_KAFKA_USERNAME", "u", "BANK_KAFKA_PASSWORD", "x", "BANK_KAFKA_PASSWORD_FILE", "/run/secrets/p")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not both");
        assertThatThrownBy(() -> KafkaSecurity.fromEnv(Map.of("BANK_KAFKA_SECURITY_PROTOCOL", "SSL")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SASL_SSL");
        assertThatThrownBy(() -> KafkaSecurity.fromEnv(Map.of("BANK_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT",
                "BANK_KAFKA_SASL_MECHANISM", "GSSAPI", "BANK_KAFKA_USERNAME", "u", "BANK_KAFKA_PASSWORD", "x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SCRAM-SHA-512");
    }
}
