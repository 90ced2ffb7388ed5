package com.kddm.storage;

import java.util.Base64;
import java.util.HexFormat;
import org.springframework.core.io.Resource;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/**
 * How every artifact leaves the service: {@code ETag} and {@code Repr-Digest} (RFC 9530) from its
 * SHA-256, a file name in {@code Content-Disposition}, {@code 304} for a matching
 * {@code If-None-Match}; Spring MVC serves {@code Range} requests on the resource, which
 * {@link BlobStore#resource} makes cheap to read from an offset in either back end.
 */
public record ArtifactDownload(Resource content, String sha256, String filename, MediaType type) {

  public ResponseEntity<Resource> respond(String ifNoneMatch) {
    String etag = "\"" + sha256 + "\"";
    HttpHeaders headers = new HttpHeaders();
    headers.setETag(etag);
    headers.set("Repr-Digest", "sha-256=:" + Base64.getEncoder().encodeToString(HexFormat.of().parseHex(sha256)) + ":");
    headers.setContentDisposition(ContentDisposition.attachment().filename(filename).build());
    if (ifNoneMatch != null && (ifNoneMatch.contains(etag) || ifNoneMatch.trim().equals("*"))) {
      return ResponseEntity.status(HttpStatus.NOT_MODIFIED).headers(headers).build();
    }
    return ResponseEntity.ok().headers(headers).contentType(type).body(content);
  }
}
