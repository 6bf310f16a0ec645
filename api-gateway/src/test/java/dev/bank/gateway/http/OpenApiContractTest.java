package dev.bank.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.bank.schemas.RejectionReason;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The published OpenAPI description names exactly the routes the gateway serves and every rejection reason. */
class OpenApiContractTest {

    private static JsonNode spec() throws Exception {
        try (InputStream in = OpenApiContractTest.class.getResourceAsStream("/openapi/bank-api.yaml")) {
            assertThat(in).as("bank-api.yaml is in the schemas jar").isNotNull();
            return new ObjectMapper(new YAMLFactory()).readTree(in);
        }
    }

    @Test
    void describesEveryRouteOfTheGateway() throws Exception {
        List<String> paths = new ArrayList<>();
        spec().get("paths").fieldNames().forEachRemaining(paths::add);
        assertThat(paths).containsExactlyInAnyOrder(BankApi.PUBLIC_ROUTES.toArray(String[]::new));
    }

    @Test
    void listsEveryRejectionReason() throws Exception {
        List<String> reasons = new ArrayList<>();
        spec().at("/components/schemas/Problem/properties/reason/enum").forEach(n -> reasons.add(n.asText()));
        assertThat(reasons).containsExactlyInAnyOrder(
                Arrays.stream(RejectionReason.values()).map(Enum::name).toArray(String[]::new));
    }
}
