package com.kddm.storage;

import java.io.BufferedOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.springframework.core.io.Resource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Artifacts in an S3-compatible bucket, so that API and workers on different machines share them.
 *
 * <p>A write is spooled to a temporary file while it is hashed (memory stays flat whatever the
 * size), then uploaded in one request or, above {@code partSize}, as a multipart upload that is
 * aborted on failure: an object appears whole or not at all, and the spool file is always removed.
 * The SHA-256 travels as object metadata ({@code x-amz-meta-sha256}), so describing an artifact
 * costs a HEAD, not a read. Moves and copies happen on the server.
 */
final class S3BlobStore implements BlobStore, AutoCloseable {

  static final String SHA256 = "sha256";
  static final long DEFAULT_PART_SIZE = 64L << 20;
  /** The largest object one CopyObject may copy; larger ones are copied part by part. */
  private static final long MAX_SINGLE_COPY = 5L << 30;
  private static final long COPY_PART_SIZE = 1L << 30;
  private static final String OCTET_STREAM = "application/octet-stream";

  private final S3Client s3;
  private final String bucket;
  private final String prefix;
  private final Path files;
  private final Path etags;
  private final Path spool;
  private final long partSize;

  S3BlobStore(S3Client s3, String bucket, String prefix, Path cacheDir, long partSize) throws IOException {
    this.s3 = s3;
    this.bucket = bucket;
    this.prefix = prefix == null || prefix.isEmpty() || prefix.endsWith("/") ? (prefix == null ? "" : prefix) : prefix + "/";
    Path cache = cacheDir.toAbsolutePath();
    this.files = cache.resolve("files");
    this.etags = cache.resolve("etags");
    this.spool = cache.resolve("spool");
    this.partSize = partSize;
    Files.createDirectories(spool);
  }

  /** A store on the configured bucket, or a start-up failure that says what did not answer. */
  static S3BlobStore connect(StorageProperties.S3 properties) throws IOException {
    S3Client client = client(properties);
    String where = "bucket '" + properties.bucket() + "' at "
        + (properties.endpoint() == null ? "AWS S3 in " + properties.region() : properties.endpoint().toString());
    try {
      client.headBucket(r -> r.bucket(properties.bucket()));
    } catch (SdkException e) {
      client.close();
      String reason = e instanceof S3Exception s3 ? switch (s3.statusCode()) {
        case 404 -> "there is no such bucket (create it first)";
        case 301, 400 -> "the server refused the request (" + s3.statusCode() + "); check region and path-style";
        case 401, 403 -> "access denied (" + s3.statusCode() + "); check the credentials";
        default -> e.getMessage();
      } : e.getMessage();
      throw new IllegalStateException("kddm.storage.type=s3, but the " + where + " cannot be reached: " + reason
          + ". Check kddm.storage.s3.endpoint, bucket, access-key/secret-key, region and path-style.", e);
    }
    return new S3BlobStore(client, properties.bucket(), properties.prefix(), properties.cacheDir(), DEFAULT_PART_SIZE);
  }

  static S3Client client(StorageProperties.S3 properties) {
    AwsCredentialsProvider credentials = properties.accessKey() == null || properties.accessKey().isBlank()
        ? DefaultCredentialsProvider.builder().build()
        : StaticCredentialsProvider.create(AwsBasicCredentials.create(properties.accessKey(), properties.secretKey()));
    S3ClientBuilder builder = S3Client.builder()
        .httpClientBuilder(UrlConnectionHttpClient.builder()
            .connectionTimeout(Duration.ofSeconds(10))
            .socketTimeout(Duration.ofMinutes(2)))
        .region(Region.of(properties.region()))
        .credentialsProvider(credentials)
        .forcePathStyle(properties.pathStyle())
        // Checksums only where S3 demands them: S3-compatible servers differ in the newer ones, and
        // every artifact carries its own SHA-256, checked where it matters (localFile).
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    URI endpoint = properties.endpoint();
    if (endpoint != null && !endpoint.toString().isBlank()) {
      builder.endpointOverride(endpoint);
    }
    return builder.build();
  }

  @Override
  public StoredBlob write(String key, Writer writer) throws IOException {
    String object = object(key);
    Files.createDirectories(spool);
    Path temporary = Files.createTempFile(spool, "upload-", ".tmp");
    try {
      MessageDigest digest = BlobKeys.sha256();
      try (OutputStream out = new DigestOutputStream(new BufferedOutputStream(Files.newOutputStream(temporary), 1 << 16),
          digest)) {
        writer.writeTo(out);
      }
      long size = Files.size(temporary);
      String sha256 = HexFormat.of().formatHex(digest.digest());
      upload(object, temporary, size, sha256);
      evict(key);
      return new StoredBlob(key, size, sha256);
    } finally {
      Files.deleteIfExists(temporary);
    }
  }

  private void upload(String object, Path file, long size, String sha256) throws IOException {
    Map<String, String> metadata = Map.of(SHA256, sha256);
    if (size <= partSize) {
      call("upload " + object, () -> s3.putObject(r -> r.bucket(bucket).key(object).contentLength(size)
          .contentType(OCTET_STREAM).metadata(metadata), RequestBody.fromFile(file)));
      return;
    }
    String uploadId = call("start the upload of " + object, () -> s3.createMultipartUpload(r -> r.bucket(bucket)
        .key(object).contentType(OCTET_STREAM).metadata(metadata)).uploadId());
    try {
      List<CompletedPart> parts = new ArrayList<>();
      int number = 1;
      for (long offset = 0; offset < size; offset += partSize, number++) {
        long start = offset;
        long length = Math.min(partSize, size - offset);
        int part = number;
        String etag = s3.uploadPart(r -> r.bucket(bucket).key(object).uploadId(uploadId).partNumber(part)
                .contentLength(length),
            RequestBody.fromContentProvider(() -> slice(file, start, length), length, OCTET_STREAM)).eTag();
        parts.add(CompletedPart.builder().partNumber(part).eTag(etag).build());
      }
      s3.completeMultipartUpload(r -> r.bucket(bucket).key(object).uploadId(uploadId)
          .multipartUpload(m -> m.parts(parts)));
    } catch (SdkException | UncheckedIOException e) {
      abort(object, uploadId, e);
      throw new IOException("could not upload " + object + " to bucket " + bucket + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      abort(object, uploadId, e);
      throw e;
    }
  }

  private void abort(String object, String uploadId, Exception cause) {
    try {
      s3.abortMultipartUpload(r -> r.bucket(bucket).key(object).uploadId(uploadId));
    } catch (SdkException e) {
      cause.addSuppressed(e);
    }
  }

  private static InputStream slice(Path file, long start, long length) {
    try {
      InputStream in = Files.newInputStream(file);
      in.skipNBytes(start);
      return new FilterInputStream(in) {
        private long remaining = length;

        @Override
        public int read() throws IOException {
          if (remaining <= 0) {
            return -1;
          }
          int b = super.read();
          remaining -= b < 0 ? 0 : 1;
          return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          if (remaining <= 0) {
            return -1;
          }
          int n = super.read(b, off, (int) Math.min(len, remaining));
          remaining -= Math.max(n, 0);
          return n;
        }

        @Override
        public long skip(long n) throws IOException {
          long skipped = super.skip(Math.min(n, remaining));
          remaining -= skipped;
          return skipped;
        }

        @Override
        public boolean markSupported() {
          return false;
        }
      };
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public StoredBlob copy(String from, String to) throws IOException {
    StoredBlob source = describe(from);
    copyOnServer(object(from), object(to), source.bytes(), source.sha256());
    evict(to);
    return new StoredBlob(to, source.bytes(), source.sha256());
  }

  @Override
  public StoredBlob move(StoredBlob blob, String to) throws IOException {
    String from = object(blob.key());
    copyOnServer(from, object(to), blob.bytes(), blob.sha256());
    evict(to);
    delete(blob.key());
    return new StoredBlob(to, blob.bytes(), blob.sha256());
  }

  private void copyOnServer(String from, String to, long size, String sha256) throws IOException {
    Map<String, String> metadata = Map.of(SHA256, sha256);
    if (size <= MAX_SINGLE_COPY) {
      call("copy " + from + " to " + to, () -> s3.copyObject(r -> r.sourceBucket(bucket).sourceKey(from)
          .destinationBucket(bucket).destinationKey(to).metadataDirective(MetadataDirective.REPLACE)
          .contentType(OCTET_STREAM).metadata(metadata)));
      return;
    }
    String uploadId = call("start copying " + from, () -> s3.createMultipartUpload(r -> r.bucket(bucket).key(to)
        .contentType(OCTET_STREAM).metadata(metadata)).uploadId());
    try {
      List<CompletedPart> parts = new ArrayList<>();
      int number = 1;
      for (long offset = 0; offset < size; offset += COPY_PART_SIZE, number++) {
        String range = "bytes=" + offset + "-" + (Math.min(offset + COPY_PART_SIZE, size) - 1);
        int part = number;
        String etag = s3.uploadPartCopy(r -> r.sourceBucket(bucket).sourceKey(from).destinationBucket(bucket)
            .destinationKey(to).uploadId(uploadId).partNumber(part).copySourceRange(range)).copyPartResult().eTag();
        parts.add(CompletedPart.builder().partNumber(part).eTag(etag).build());
      }
      s3.completeMultipartUpload(r -> r.bucket(bucket).key(to).uploadId(uploadId).multipartUpload(m -> m.parts(parts)));
    } catch (SdkException e) {
      abort(to, uploadId, e);
      throw new IOException("could not copy " + from + " to " + to + " in bucket " + bucket + ": " + e.getMessage(), e);
    }
  }

  @Override
  public StoredBlob describe(String key) throws IOException {
    HeadObjectResponse head = head(key);
    String sha256 = head.metadata().get(SHA256);
    if (sha256 != null && sha256.matches("[0-9a-f]{64}")) {
      return new StoredBlob(key, head.contentLength(), sha256);
    }
    // Written by something else than this service: read it through once.
    MessageDigest digest = BlobKeys.sha256();
    try (InputStream in = new DigestInputStream(open(key), digest)) {
      long size = in.transferTo(OutputStream.nullOutputStream());
      return new StoredBlob(key, size, HexFormat.of().formatHex(digest.digest()));
    }
  }

  HeadObjectResponse head(String key) throws IOException {
    String object = object(key);
    try {
      return s3.headObject(r -> r.bucket(bucket).key(object));
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        throw new NoSuchFileException(key);
      }
      throw failure("read the metadata of " + object, e);
    } catch (SdkException e) {
      throw failure("read the metadata of " + object, e);
    }
  }

  @Override
  public InputStream open(String key) throws IOException {
    return get(key, 0);
  }

  /** The object's bytes from {@code offset} on. */
  ResponseInputStream<GetObjectResponse> get(String key, long offset) throws IOException {
    String object = object(key);
    try {
      return s3.getObject(r -> r.bucket(bucket).key(object).range(offset > 0 ? "bytes=" + offset + "-" : null));
    } catch (NoSuchKeyException e) {
      throw new NoSuchFileException(key);
    } catch (SdkException e) {
      throw failure("read " + object, e);
    }
  }

  @Override
  public boolean exists(String key) throws IOException {
    try {
      head(key);
      return true;
    } catch (NoSuchFileException e) {
      return false;
    }
  }

  @Override
  public Resource resource(String key) {
    BlobKeys.check(key);
    return new S3ObjectResource(this, key, "s3://" + bucket + "/" + object(key));
  }

  /**
   * Downloads the object into the cache folder unless the copy there is of the object's current
   * ETag; the download is checked against the stored SHA-256 and moved into place whole.
   */
  @Override
  public Path localFile(String key) throws IOException {
    HeadObjectResponse head = head(key);
    Path file = files.resolve(key);
    Path tag = etags.resolve(key);
    if (Files.isRegularFile(file) && Files.isRegularFile(tag) && Files.readString(tag).equals(head.eTag())
        && Files.size(file) == head.contentLength()) {
      return file;
    }
    Files.createDirectories(file.getParent());
    Files.createDirectories(tag.getParent());
    Path temporary = Files.createTempFile(file.getParent(), ".download-", ".tmp");
    Path temporaryTag = Files.createTempFile(tag.getParent(), ".etag-", ".tmp");
    try {
      MessageDigest digest = BlobKeys.sha256();
      String object = object(key);
      try (InputStream in = call("download " + object,
              () -> s3.getObject(r -> r.bucket(bucket).key(object).ifMatch(head.eTag())));
          OutputStream out = new DigestOutputStream(Files.newOutputStream(temporary), digest)) {
        in.transferTo(out);
      }
      String expected = head.metadata().get(SHA256);
      String actual = HexFormat.of().formatHex(digest.digest());
      if (Files.size(temporary) != head.contentLength() || (expected != null && !expected.equals(actual))) {
        throw new IOException("the download of " + object + " does not match its stored size and SHA-256");
      }
      Files.writeString(temporaryTag, head.eTag());
      Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      Files.move(temporaryTag, tag, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return file;
    } finally {
      Files.deleteIfExists(temporary);
      Files.deleteIfExists(temporaryTag);
    }
  }

  @Override
  public void delete(String key) {
    String object = object(key);
    try {
      call("delete " + object, () -> s3.deleteObject(r -> r.bucket(bucket).key(object)));
      evict(key);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void deleteAll(String folder, String namePrefix) {
    BlobKeys.checkNamePrefix(namePrefix);
    // The delimiter keeps deeper folders out, as for the local store.
    deleteListed(objectFolder(BlobKeys.checkFolder(folder)) + "/" + namePrefix, true);
  }

  @Override
  public void deleteFolder(String folder) {
    deleteListed(objectFolder(BlobKeys.checkFolder(folder)) + "/", false);
    deleteCached(files.resolve(folder));
    deleteCached(etags.resolve(folder));
  }

  private void deleteListed(String objectPrefix, boolean direct) {
    try {
      List<String> objects = call("list " + objectPrefix, () -> s3.listObjectsV2Paginator(r -> {
        r.bucket(bucket).prefix(objectPrefix);
        if (direct) {
          r.delimiter("/");
        }
      }).contents().stream().map(S3Object::key).toList());
      for (String object : objects) {
        // By object name: a listing may hold objects that no key of this service names.
        call("delete " + object, () -> s3.deleteObject(r -> r.bucket(bucket).key(object)));
        String key = object.substring(prefix.length());
        if (!key.contains("..")) {
          Files.deleteIfExists(etags.resolve(key));
          Files.deleteIfExists(files.resolve(key));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void evict(String key) throws IOException {
    Files.deleteIfExists(etags.resolve(key));
    Files.deleteIfExists(files.resolve(key));
  }

  private static void deleteCached(Path directory) {
    LocalBlobStore.deleteTree(directory);
  }

  private String object(String key) {
    return prefix + BlobKeys.check(key);
  }

  private String objectFolder(String folder) {
    return prefix + folder;
  }

  private interface Call<T> {
    T run();
  }

  private <T> T call(String what, Call<T> call) throws IOException {
    try {
      return call.run();
    } catch (SdkException e) {
      throw failure(what, e);
    }
  }

  private IOException failure(String what, SdkException e) {
    return new IOException("could not " + what + " in bucket " + bucket + ": " + e.getMessage(), e);
  }

  @Override
  public void close() {
    s3.close();
  }
}
