package io.pgcreds.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.pgcreds.testing.ContractValidator;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** openapi.yaml is whole: OpenAPI 3.1, every reference resolves, every operation documents its errors. */
class OpenApiDocumentTest {
    private final JsonNode document = ContractValidator.instance().document();

    @Test
    void it_is_openapi_3_1_with_bearer_security() {
        assertThat(document.path("openapi").asText()).isEqualTo("3.1.0");
        assertThat(document.at("/components/securitySchemes/bearerAuth/scheme").asText()).isEqualTo("bearer");
    }

    @Test
    void every_reference_resolves() {
        List<String> broken = new ArrayList<>();
        collectBrokenRefs(document, broken);
        assertThat(broken).isEmpty();
    }

    @Test
    void every_operation_has_an_id_a_200_a_405_and_problem_documents_for_its_errors() {
        document.path("paths").properties().forEach(path -> path.getValue().properties().forEach(op -> {
            String name = op.getKey().toUpperCase() + " " + path.getKey();
            JsonNode operation = op.getValue();
            JsonNode responses = operation.path("responses");
            assertThat(operation.path("operationId").asText()).as(name).isNotEmpty();
            assertThat(responses.has("200") || responses.has("202")).as(name + " 200 or 202").isTrue();
            assertThat(responses.has("405")).as(name + " 405").isTrue();
            boolean isPublic = operation.has("security") && operation.path("security").isEmpty();
            if (!isPublic) {
                assertThat(responses.has("401")).as(name + " 401 when protected").isTrue();
            }
            boolean takesCredential = operation.path("parameters").toString().contains("Credential")
                    || path.getKey().contains("{name}");
            if (takesCredential) {
                assertThat(responses.has("404")).as(name + " 404 when it names a credential").isTrue();
            }
            responses.properties().forEach(response -> {
                if (response.getKey().startsWith("4") || response.getKey().equals("500")) {
                    JsonNode resolved = resolve(response.getValue());
                    assertThat(resolved.path("content").has("application/problem+json"))
                            .as(name + " " + response.getKey() + " is a problem document").isTrue();
                }
            });
        }));
    }

    private JsonNode resolve(JsonNode node) {
        return node.has("$ref") ? document.at(node.path("$ref").asText().substring(1)) : node;
    }

    private void collectBrokenRefs(JsonNode node, List<String> broken) {
        if (node.isObject()) {
            JsonNode ref = node.get("$ref");
            if (ref != null && (!ref.asText().startsWith("#/") || document.at(ref.asText().substring(1)).isMissingNode())) {
                broken.add(ref.asText());
            }
            node.elements().forEachRemaining(child -> collectBrokenRefs(child, broken));
        } else if (node.isArray()) {
            node.elements().forEachRemaining(child -> collectBrokenRefs(child, broken));
        }
    }
}
