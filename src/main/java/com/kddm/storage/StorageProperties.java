package com.kddm.storage;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Where artifacts live.
 *
 * @param type {@code local} (a folder) or {@code s3} (an S3-compatible bucket)
 * @param root the folder for {@code local}; API and workers must share it
 * @param s3 the bucket for {@code s3}
 */
@Validated
@ConfigurationProperties("kddm.storage")
public record StorageProperties(
    @NotNull @DefaultValue("local") Type type,
    @NotNull @DefaultValue("data/artifacts") Path root,
    @Valid @NotNull @DefaultValue S3 s3) {

  public enum Type { LOCAL, S3 }

  /**
   * @param endpoint the server's URL, for S3-compatible servers (MinIO, Ceph, Garage, S3Proxy);
   *     unset: AWS's endpoint for the region
   * @param region the signing region
   * @param bucket the bucket, which must exist; required for {@code type=s3}
   * @param accessKey with {@code secretKey}; unset: the SDK's default credentials chain
   *     (environment, profile, container or instance role)
   * @param pathStyle {@code http://host/bucket/key} instead of {@code http://bucket.host/key}, as
   *     most self-hosted servers want
   * @param prefix a folder inside the bucket under which every key is stored
   * @param cacheDir local copies of artifacts that libraries must read as files, and uploads being
   *     spooled before they go to the bucket
   */
  public record S3(
      URI endpoint,
      @NotBlank @DefaultValue("us-east-1") String region,
      String bucket,
      String accessKey,
      String secretKey,
      @DefaultValue("false") boolean pathStyle,
      @DefaultValue("") String prefix,
      @NotNull @DefaultValue("data/s3-cache") Path cacheDir) {

    @AssertTrue(message = "access-key and secret-key go together: give both, or neither to use the default credentials chain")
    boolean isCredentialsComplete() {
      return (accessKey == null || accessKey.isBlank()) == (secretKey == null || secretKey.isBlank());
    }

    @AssertTrue(message = "prefix is a folder inside the bucket: letters, digits, '.', '_', '-' and '/' between segments")
    boolean isPrefixValid() {
      return prefix == null || prefix.isEmpty() || prefix.matches("[a-zA-Z0-9._-]+(/[a-zA-Z0-9._-]+)*/?");
    }
  }

  @AssertTrue(message = "kddm.storage.s3.bucket is required when kddm.storage.type is s3")
  boolean isBucketGivenForS3() {
    return type != Type.S3 || (s3 != null && s3.bucket() != null && !s3.bucket().isBlank());
  }
}
