package com.kddm.jobs;

import com.kddm.system.ApiException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/** The opaque position after which the next page starts: the last job's (createdAt, id). */
record PageToken(Instant createdAt, UUID id) {

  static final PageToken START = new PageToken(Instant.parse("9999-12-31T00:00:00Z"), new UUID(-1L, -1L));

  String encode() {
    String raw = createdAt.getEpochSecond() + ":" + createdAt.getNano() + ":" + id;
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  static PageToken decode(String token) {
    if (token == null || token.isEmpty()) {
      return START;
    }
    try {
      String[] parts = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8).split(":");
      return new PageToken(Instant.ofEpochSecond(Long.parseLong(parts[0]), Long.parseLong(parts[1])), UUID.fromString(parts[2]));
    } catch (RuntimeException e) {
      throw ApiException.badField("page_token", "is not a token this service issued");
    }
  }
}
