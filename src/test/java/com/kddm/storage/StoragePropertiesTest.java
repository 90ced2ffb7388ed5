package com.kddm.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.kddm.testing.S3Server;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/** Which store the configuration makes, and which configurations are refused at start-up. */
class StoragePropertiesTest {

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(StorageProperties.class)
  @Import(StorageConfiguration.class)
  static class Storage {}

  @TempDir Path folder;

  private ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
        .withUserConfiguration(Storage.class)
        .withPropertyValues("kddm.storage.root=" + folder.resolve("artifacts"),
            "kddm.storage.s3.cache-dir=" + folder.resolve("cache"));
  }

  @Test
  void aLocalFolderByDefault() {
    runner().run(context -> assertThat(context).getBean(BlobStore.class).isInstanceOf(LocalBlobStore.class));
  }

  @Test
  void anS3BucketWhenAsked() {
    String bucket = S3Server.get().bucket("config-test");
    runner().withPropertyValues("kddm.storage.type=s3", "kddm.storage.s3.endpoint=" + S3Server.get().endpoint(),
            "kddm.storage.s3.bucket=" + bucket, "kddm.storage.s3.path-style=true",
            "kddm.storage.s3.access-key=" + S3Server.ACCESS_KEY, "kddm.storage.s3.secret-key=" + S3Server.SECRET_KEY)
        .run(context -> assertThat(context).getBean(BlobStore.class).isInstanceOf(S3BlobStore.class));
  }

  @Test
  void s3WithoutABucketIsRefused() {
    runner().withPropertyValues("kddm.storage.type=s3").run(context -> assertThat(context).getFailure()
        .rootCause().hasMessageContaining("kddm.storage.s3.bucket is required when kddm.storage.type is s3"));
  }

  @Test
  void halfACredentialIsRefused() {
    runner().withPropertyValues("kddm.storage.type=s3", "kddm.storage.s3.bucket=b", "kddm.storage.s3.access-key=a")
        .run(context -> assertThat(context).getFailure().rootCause().hasMessageContaining("access-key and secret-key"));
  }

  @Test
  void anUnreachableBucketStopsTheStart() {
    runner().withPropertyValues("kddm.storage.type=s3", "kddm.storage.s3.endpoint=" + S3Server.get().endpoint(),
            "kddm.storage.s3.bucket=missing-bucket", "kddm.storage.s3.path-style=true",
            "kddm.storage.s3.access-key=" + S3Server.ACCESS_KEY, "kddm.storage.s3.secret-key=" + S3Server.SECRET_KEY)
        .run(context -> assertThat(context).getFailure().hasStackTraceContaining("the bucket 'missing-bucket' at "
            + S3Server.get().endpoint() + " cannot be reached: there is no such bucket"));
  }
}
