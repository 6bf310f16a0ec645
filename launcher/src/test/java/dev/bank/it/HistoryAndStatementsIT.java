package dev.bank.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bank.schemas.Json;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Interest rates, transaction history and statements over REST against a real broker, processor and gateway:
 * the rate set at opening and changed, the history paged newest first from the processor's history store, and the
 * month's statement as JSON (opening + entries = closing), CSV and PDF (read back as text).
 */
class HistoryAndStatementsIT {
    @TempDir
    static Path stateDir;
    static BankSystem bank;
    static Http http;
    static String base;

    @BeforeAll
    static void startTheSystemWithAnAccountAndFivePostings() throws Exception {
        bank = BankSystem.start(stateDir);
        base = "http://127.0.0.1:" + bank.gateway().port();
        http = bank.http();
        // an account with its own rate is opened by an admin, for the customer
        assertThat(bank.admin().post("/accounts", "{\"accountId\":\"ivy\",\"currency\":\"EUR\",\"initialDeposit\":\"100\","
                + "\"interestRate\":\"0.02\",\"owner\":\"" + BankStack.CUSTOMER + "\",\"transactionId\":\"open-ivy\"}")
                .status()).isEqualTo(201);
        for (int i = 1; i <= 3; i++) {
            assertThat(http.post("/transaction", "{\"accountId\":\"ivy\",\"amount\":\"" + i + "0.5\",\"type\":\"credit\","
                    + "\"transactionId\":\"c-" + i + "\"}").status()).isEqualTo(200);
        }
        assertThat(http.post("/transaction",
                "{\"accountId\":\"ivy\",\"amount\":\"12.34\",\"type\":\"debit\",\"transactionId\":\"d-1\"}").status())
                .isEqualTo(200);
    }

    @AfterAll
    static void stopTheSystem() throws Exception {
        if (bank != null) bank.close();
    }

    private static HttpResponse<byte[]> raw(String path, String accept) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30)).GET()
                .header("Authorization", "Bearer " + BankStack.customerToken());
        if (accept != null) b.header("Accept", accept);
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void setsTheRateAtOpeningAndChangesItOverRest() {
        assertThat(http.get("/accounts/ivy").text("interestRate")).isEqualTo("0.02");
        HttpRequest put = HttpRequest.newBuilder(URI.create(base + "/accounts/ivy/interest-rate"))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + BankStack.adminToken()) // changing a rate is an admin's act
                .PUT(HttpRequest.BodyPublishers.ofString("{\"interestRate\":\"0.0300\",\"transactionId\":\"rate-1\"}"))
                .build();
        try {
            HttpResponse<String> answer = HttpClient.newHttpClient().send(put, HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(Json.MAPPER.readTree(answer.body()).get("interestRate").asText()).isEqualTo("0.03");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        assertThat(http.get("/accounts/ivy").text("interestRate")).isEqualTo("0.03");
        assertThat(http.get("/accounts/ivy").text("balance")).isEqualTo("149.16");
    }

    @Test
    void pagesTheHistoryNewestFirstByFollowingNext() {
        List<String> seen = new ArrayList<>();
        String next = "/accounts/ivy/transactions?limit=2";
        int pages = 0;
        while (next != null) {
            Http.Response page = http.get(next);
            assertThat(page.status()).isEqualTo(200);
            page.body().get("transactions").forEach(t -> seen.add(t.get("transactionId").asText()));
            next = page.body().has("next") ? page.body().get("next").asText() : null;
            pages++;
        }
        assertThat(seen).containsExactly("d-1", "c-3", "c-2", "c-1", "open-ivy");
        assertThat(pages).isEqualTo(3);
        assertThat(http.get("/accounts/ivy/transactions?limit=0").status()).isEqualTo(400);
        assertThat(http.get("/accounts/nobody/transactions").status()).isEqualTo(404);
    }

    @Test
    void servesTheMonthsStatementAsJsonCsvAndPdfThatAddUp() throws Exception {
        String month = YearMonth.now(ZoneOffset.UTC).toString();
        Http.Response json = http.get("/accounts/ivy/statements/" + month);
        assertThat(json.status()).isEqualTo(200);
        JsonNode s = json.body();
        BigDecimal total = new BigDecimal(s.get("openingBalance").asText());
        for (JsonNode e : s.get("entries")) total = total.add(new BigDecimal(e.get("amount").asText()));
        assertThat(total).isEqualByComparingTo(new BigDecimal(s.get("closingBalance").asText()));
        assertThat(s.get("closingBalance").asText()).isEqualTo("149.16");
        assertThat(s.get("entries")).hasSize(5);

        HttpResponse<byte[]> csv = raw("/accounts/ivy/statements/" + month + "?format=csv", null);
        assertThat(csv.headers().firstValue("Content-Type").orElse("")).startsWith("text/csv");
        assertThat(new String(csv.body())).contains("OPENING,", "ENTRY,", "d-1,DEBIT,-12.34,149.16", "CLOSING,");

        HttpResponse<byte[]> pdf = raw("/accounts/ivy/statements/" + month, "application/pdf");
        assertThat(pdf.headers().firstValue("Content-Type").orElse("")).startsWith("application/pdf");
        try (PDDocument document = Loader.loadPDF(pdf.body())) {
            assertThat(new PDFTextStripper().getText(document))
                    .contains("account ivy", "Opening balance: 0.00", "c-3", "Closing balance: 149.16");
        }
        assertThat(http.get("/accounts/ivy/statements/2025-13").status()).isEqualTo(400);
    }
}
