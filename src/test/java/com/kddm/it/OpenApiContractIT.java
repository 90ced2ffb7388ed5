package com.kddm.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code api/openapi.yaml} is the contract users read; the document the application serves is
 * generated from the code. They must describe the same operations, parameters, bodies, success
 * codes and schema fields.
 */
class OpenApiContractIT extends IntegrationTest {

  /** Problems come from the error advice, which the generator does not read; it inlines enums. */
  private static final Set<String> CONTRACT_ONLY_SCHEMAS = Set.of("Problem", "FieldProblem", "JobState");

  @Test
  void theServedDocumentAndTheContractDescribeTheSameApi() throws Exception {
    Map<String, Object> contract = new Yaml().load(Files.readString(Path.of("api/openapi.yaml")));
    Map<String, Object> served = new Yaml().load(get("/v3/api-docs.yaml").body());

    assertThat(operations(contract)).isEqualTo(operations(served));
    assertThat(schemaFields(contract, true)).isEqualTo(schemaFields(served, false));
  }

  /** path + method → parameters, request body and success codes, as comparable text. */
  private static Map<String, String> operations(Map<String, Object> doc) {
    Map<String, String> out = new TreeMap<>();
    map(doc, "paths").forEach((path, item) -> map(item).forEach((method, op) -> {
      Map<String, Object> operation = map(op);
      Set<String> parameters = new TreeSet<>();
      for (Object p : list(operation.get("parameters"))) {
        Map<String, Object> parameter = map(p);
        parameters.add(parameter.get("in") + ":" + parameter.get("name") + (Boolean.TRUE.equals(parameter.get("required")) ? "!" : ""));
      }
      Set<String> body = new TreeSet<>();
      if (operation.get("requestBody") != null) {
        map(map(operation.get("requestBody")), "content").forEach((type, media) -> {
          String fields = "";
          Map<String, Object> schema = map(map(media).get("schema"));
          if (type.equals("multipart/form-data")) {
            fields = map(schema, "properties").keySet() + " required " + new TreeSet<>(strings(schema.get("required")));
          }
          body.add(type + fields);
        });
      }
      Set<String> success = new TreeSet<>();
      map(operation, "responses").keySet().stream().filter(code -> code.startsWith("2")).forEach(success::add);
      out.put(path + " " + method.toUpperCase(), "parameters " + parameters + " body " + body + " success " + success);
    }));
    return out;
  }

  private static Map<String, String> schemaFields(Map<String, Object> doc, boolean isContract) {
    Map<String, String> out = new TreeMap<>();
    map(map(doc, "components"), "schemas").forEach((name, schema) -> {
      if (isContract && CONTRACT_ONLY_SCHEMAS.contains(name)) {
        return;
      }
      Map<String, Object> s = map(schema);
      out.put(name, new TreeSet<>(map(s, "properties").keySet()) + " required " + new TreeSet<>(strings(s.get("required"))));
    });
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object value) {
    return value == null ? Map.of() : (Map<String, Object>) value;
  }

  private static Map<String, Object> map(Map<String, Object> parent, String key) {
    return map(parent.get(key));
  }

  @SuppressWarnings("unchecked")
  private static java.util.List<Object> list(Object value) {
    return value == null ? java.util.List.of() : (java.util.List<Object>) value;
  }

  private static java.util.List<String> strings(Object value) {
    return list(value).stream().map(String::valueOf).toList();
  }
}
