package com.kddm.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.kddm.testing.S3Server;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/** The contract against a real S3-compatible server (S3Proxy), plus what only S3 has. */
class S3BlobStoreTest extends BlobStoreContract {

  static final long PART = 5L << 20;

  @TempDir Path cache;
  private final S3Server server = S3Server.get();
  private String bucket;
  private S3BlobStore store;

  @BeforeEach
  void open() throws IOException {
    bucket = server.bucket("contract-" + UUID.randomUUID().toString().substring(0, 8));
    store = new S3BlobStore(S3BlobStore.client(properties(bucket, "")), bucket, "", cache, PART);
  }

  @AfterEach
  void close() {
    store.close();
  }

  static StorageProperties.S3 properties(String bucket, String prefix) {
    return new StorageProperties.S3(S3Server.get().endpoint(), S3Server.REGION, bucket, S3Server.ACCESS_KEY,
        S3Server.SECRET_KEY, true, prefix, Path.of("unused"));
  }

  @Override
  BlobStore store() {
    return store;
  }

  /** The bucket's objects and unfinished uploads, and every file left in the spool folder. */
  @Override
  List<String> leftovers() throws IOException {
    List<String> all = new ArrayList<>(server.contents(bucket));
    try (Stream<Path> spool = Files.list(cache.resolve("spool"))) {
      spool.forEach(p -> all.add("spool:" + p.getFileName()));
    }
    return all;
  }

  @Test
  void largeWritesGoUpInPartsAndKeepTheirDigest() throws Exception {
    byte[] data = bytes((int) (2 * PART + 12345), 11);

    StoredBlob blob = store.write("students/big-attempt-1.zip", new ByteArrayInputStream(data));

    assertThat(blob).isEqualTo(new StoredBlob("students/big-attempt-1.zip", data.length, sha256(data)));
    assertThat(store.describe("students/big-attempt-1.zip")).isEqualTo(blob);
    assertThat(read(store, "students/big-attempt-1.zip")).isEqualTo(data);
    assertThat(leftovers()).containsExactly("students/big-attempt-1.zip");
  }

  @Test
  void theDigestIsStoredAsMetadata() throws Exception {
    StoredBlob blob = store.write("teachers/t.zip", out -> out.write(new byte[] {1, 2, 3}));

    assertThat(server.client().headObject(r -> r.bucket(bucket).key("teachers/t.zip")).metadata())
        .containsEntry("sha256", blob.sha256());
  }

  @Test
  void objectsWrittenByOthersAreDescribedByReadingThem() throws Exception {
    byte[] data = bytes(1000, 12);
    server.client().putObject(r -> r.bucket(bucket).key("datasets/x/train.idx"), RequestBody.fromBytes(data));

    assertThat(store.describe("datasets/x/train.idx"))
        .isEqualTo(new StoredBlob("datasets/x/train.idx", data.length, sha256(data)));
  }

  @Test
  void aPrefixKeepsEveryKeyInsideItsFolder() throws Exception {
    try (S3BlobStore prefixed = new S3BlobStore(S3BlobStore.client(properties(bucket, "tenant/a")), bucket,
        "tenant/a", cache, PART)) {
      prefixed.write("datasets/d/train.idx", out -> out.write(1));
      prefixed.write("students/j-attempt-1.zip", out -> out.write(2));
      assertThat(server.contents(bucket)).containsExactly("tenant/a/datasets/d/train.idx",
          "tenant/a/students/j-attempt-1.zip");

      prefixed.deleteAll("students", "j-");
      prefixed.deleteFolder("datasets/d");
      assertThat(server.contents(bucket)).isEmpty();
    }
  }

  @Test
  void theCachedFileIsReusedWhileTheObjectIsUnchanged() throws Exception {
    store.write("teachers/t.pt", out -> out.write(bytes(10_000, 13)));
    Path file = store.localFile("teachers/t.pt");
    Object inode = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey();

    assertThat(store.localFile("teachers/t.pt")).isEqualTo(file);
    assertThat(Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey()).isEqualTo(inode);

    store.delete("teachers/t.pt");
    assertThat(file).doesNotExist();
  }

  @Test
  void aRangeFarIntoTheObjectIsFetchedWithoutTheBytesBeforeIt() throws Exception {
    byte[] data = bytes((int) PART, 14);
    store.write("students/r-attempt-1.zip", new ByteArrayInputStream(data));
    List<String> ranges = new java.util.concurrent.CopyOnWriteArrayList<>();
    ExecutionInterceptor recorder = new ExecutionInterceptor() {
      @Override
      public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        if (context.httpRequest().method() == SdkHttpMethod.GET) {
          ranges.add(context.httpRequest().firstMatchingHeader("Range").orElse("whole"));
        }
      }
    };
    try (S3BlobStore watched = new S3BlobStore(client(recorder), bucket, "", cache, PART);
        InputStream in = watched.resource("students/r-attempt-1.zip").getInputStream()) {
      in.skipNBytes(data.length - 10);
      assertThat(in.readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(data, data.length - 10, data.length));
    }
    assertThat(ranges).containsExactly("bytes=" + (data.length - 10) + "-");
  }

  @Test
  void aMultipartUploadThatFailsIsAbortedAndLeavesNothing() throws Exception {
    store.write("students/keep-attempt-1.zip", out -> out.write(1));
    AtomicInteger parts = new AtomicInteger();
    ExecutionInterceptor failSecondPart = new ExecutionInterceptor() {
      @Override
      public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        if (context.request() instanceof UploadPartRequest && parts.incrementAndGet() == 2) {
          throw SdkClientException.create("connection reset (simulated)");
        }
      }
    };
    byte[] data = bytes((int) (2 * PART + 1), 15);

    try (S3BlobStore failing = new S3BlobStore(client(failSecondPart), bucket, "", cache, PART)) {
      assertThatThrownBy(() -> failing.write("students/big-attempt-1.zip", new ByteArrayInputStream(data)))
          .isInstanceOf(IOException.class).hasMessageContaining("connection reset (simulated)");
    }

    assertThat(parts).hasValue(2);
    assertThat(leftovers()).as("no object, no unfinished upload, no spool file")
        .containsExactly("students/keep-attempt-1.zip");
  }

  private S3Client client(ExecutionInterceptor interceptor) {
    return S3Client.builder().httpClientBuilder(UrlConnectionHttpClient.builder())
        .endpointOverride(server.endpoint()).region(Region.of(S3Server.REGION)).forcePathStyle(true)
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(S3Server.ACCESS_KEY, S3Server.SECRET_KEY)))
        .overrideConfiguration(c -> c.addExecutionInterceptor(interceptor)).build();
  }

  @Test
  void startingAgainstAMissingBucketSaysWhatIsWrong() {
    assertThatThrownBy(() -> S3BlobStore.connect(properties("no-such-bucket", "")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no-such-bucket")
        .hasMessageContaining(S3Server.get().endpoint().toString())
        .hasMessageContaining("there is no such bucket");
  }
}
