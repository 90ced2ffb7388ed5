package com.kddm.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.DefaultApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import tools.jackson.databind.JsonNode;

/** Datasets configured on the server by path appear to every user, once, and train like uploads. */
class BuiltinDatasetsIT extends IntegrationTest {

  @Autowired java.util.List<ApplicationRunner> runners;

  @Test
  void aConfiguredDatasetIsListedOnceTrainsAndCannotBeDeletedOverHttp() throws Exception {
    JsonNode builtin = builtin();
    assertThat(builtin.get("trainSamples").asInt()).isEqualTo(90);
    assertThat(builtin.get("classes").asInt()).isEqualTo(3);
    assertThat(builtin.get("normalization").get("mean").size()).as("measured at import").isEqualTo(1);
    assertThat(json(get("/v1/datasets")).valueStream().map(d -> d.get("name").asString()))
        .as("a configured path that does not exist is skipped, not fatal").doesNotContain("builtin-missing");

    // Importing again (as a restart does) keeps the one there.
    ApplicationArguments none = new DefaultApplicationArguments();
    for (ApplicationRunner runner : runners) {
      runner.run(none);
    }
    assertThat(jdbc.sql("select count(*) from datasets where name = 'builtin-synthetic'").query(Long.class).single())
        .isEqualTo(1);

    UUID job = id(json(postJson("/v1/jobs", """
        {"datasetId": "%s", "student": {"architecture": "mlp", "featureSize": 8}, "training": {"epochs": 1}}"""
        .formatted(id(builtin)))));
    assertThat(awaitTerminal(job).get("state").asString()).isEqualTo("SUCCEEDED");
    HttpResponse<String> delete = http.send(HttpRequest.newBuilder(uri("/v1/datasets/" + id(builtin))).DELETE().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(delete.statusCode()).isEqualTo(409);
    assertThat(json(delete).get("detail").asString()).contains("built in");
  }

  @Test
  void datasetsStoredBeforeStatisticsWereMeasuredAreMeasuredAtStartUp() throws Exception {
    JsonNode builtin = builtin();
    JsonNode measured = builtin.get("normalization");
    // A row as V10 found it: no statistics.
    jdbc.sql("update datasets set normalization_mean = null, normalization_std = null where id = ?")
        .param(id(builtin)).update();
    assertThat(json(get("/v1/datasets/" + id(builtin))).get("normalization").isNull()).as("not made up").isTrue();

    ApplicationArguments none = new DefaultApplicationArguments();
    for (ApplicationRunner runner : runners) {
      runner.run(none);
    }
    assertThat(json(get("/v1/datasets/" + id(builtin))).get("normalization")).isEqualTo(measured);
  }

  private JsonNode builtin() throws Exception {
    return json(get("/v1/datasets")).valueStream()
        .filter(d -> d.get("name").asString().equals("builtin-synthetic") && d.get("builtin").asBoolean())
        .findFirst().orElseThrow(() -> new AssertionError("builtin-synthetic is not listed"));
  }
}
