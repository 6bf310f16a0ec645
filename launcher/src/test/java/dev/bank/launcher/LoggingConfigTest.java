package dev.bank.launcher;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The services' logging configuration: text by default, one JSON object per line with BANK_LOG_FORMAT=json. */
class LoggingConfigTest {

    private static List<String> logWith(String format) throws Exception {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(MDC.getMDCAdapter()); // what SLF4J's provider does for the real context
        if (format != null) context.putProperty("BANK_LOG_FORMAT", format);
        PrintStream console = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(LoggingConfigTest.class.getResource("/logback.xml"));
            try (MDC.MDCCloseable a = MDC.putCloseable("accountId", "alice");
                 MDC.MDCCloseable t = MDC.putCloseable("transactionId", "tx-1")) {
                context.getLogger("dev.bank.gateway.http.BankApi").info("DEBIT status=ACCEPTED");
            }
            context.stop();
        } finally {
            System.setOut(console);
        }
        return List.of(captured.toString(StandardCharsets.UTF_8).split("\n"));
    }

    @Test
    void writesOneJsonObjectPerLineWithAccountAndTransactionWhenAskedTo() throws Exception {
        List<JsonNode> events = new ArrayList<>();
        for (String line : logWith("json")) {
            if (!line.isBlank()) events.add(new ObjectMapper().readTree(line));
        }
        JsonNode event = events.stream().filter(e -> "DEBIT status=ACCEPTED".equals(e.path("message").asText()))
                .findFirst().orElseThrow();
        assertThat(event.path("level").asText()).isEqualTo("INFO");
        assertThat(event.path("loggerName").asText()).isEqualTo("dev.bank.gateway.http.BankApi");
        assertThat(event.path("mdc").path("accountId").asText()).isEqualTo("alice");
        assertThat(event.path("mdc").path("transactionId").asText()).isEqualTo("tx-1");
    }

    @Test
    void writesReadableTextLinesByDefault() throws Exception {
        assertThat(logWith(null)).anyMatch(line -> line.matches(".*INFO .*BankApi - DEBIT status=ACCEPTED"));
    }
}
