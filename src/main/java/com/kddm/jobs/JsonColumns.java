package com.kddm.jobs;

import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;
import tools.jackson.databind.json.JsonMapper;

/** Structured job columns stored as JSON text. */
final class JsonColumns {

  static final JsonMapper JSON = JsonMapper.builder().build();

  private JsonColumns() {}

  @Converter
  static class SpecColumn implements AttributeConverter<JobSpec, String> {
    @Override
    public String convertToDatabaseColumn(JobSpec value) {
      return value == null ? null : JSON.writeValueAsString(value);
    }

    @Override
    public JobSpec convertToEntityAttribute(String column) {
      return column == null ? null : JSON.readValue(column, JobSpec.class);
    }
  }

  @Converter
  static class ResultColumn implements AttributeConverter<JobResult, String> {
    @Override
    public String convertToDatabaseColumn(JobResult value) {
      return value == null ? null : JSON.writeValueAsString(value);
    }

    @Override
    public JobResult convertToEntityAttribute(String column) {
      return column == null ? null : JSON.readValue(column, JobResult.class);
    }
  }
}
