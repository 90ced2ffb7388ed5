package com.kddm.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A real S3-compatible server for tests: S3Proxy over a temporary folder, in this JVM, on a free
 * port of localhost, with AWS signatures checked. One per test JVM; buckets are made on demand.
 */
public final class S3Server {

  public static final String ACCESS_KEY = "kddm-test-access";
  public static final String SECRET_KEY = "kddm-test-secret";
  public static final String REGION = "us-east-1";

  private static S3Server shared;

  private final URI endpoint;
  private final S3Client client;

  private S3Server(URI endpoint) {
    this.endpoint = endpoint;
    this.client = S3Client.builder()
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .endpointOverride(endpoint)
        .region(Region.of(REGION))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
        .forcePathStyle(true)
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .build();
  }

  public static synchronized S3Server get() {
    if (shared == null) {
      shared = start();
    }
    return shared;
  }

  private static S3Server start() {
    try {
      Path folder = Files.createTempDirectory("kddm-s3proxy");
      int port;
      try (ServerSocket socket = new ServerSocket(0)) {
        port = socket.getLocalPort();
      }
      URI endpoint = URI.create("http://127.0.0.1:" + port);
      S3Proxy proxy = S3Proxy.builder()
          .blobStore(new FilesystemNio2BlobStore(folder.toString()))
          .endpoint(endpoint)
          .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
          .build();
      proxy.start();
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (!"STARTED".equals(proxy.getState())) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
        }
        Thread.sleep(10);
      }
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          proxy.stop();
        } catch (Exception e) {
          // the JVM is exiting
        }
      }));
      return new S3Server(endpoint);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (Exception e) {
      throw new IllegalStateException("could not start S3Proxy", e);
    }
  }

  public URI endpoint() {
    return endpoint;
  }

  /** An administrator's client: makes buckets and lists what the service left in them. */
  public S3Client client() {
    return client;
  }

  /** Creates the bucket if it is not there yet. */
  public String bucket(String name) {
    if (client.listBuckets().buckets().stream().noneMatch(b -> b.name().equals(name))) {
      client.createBucket(r -> r.bucket(name));
    }
    return name;
  }

  /** Every object key in the bucket, and every unfinished multipart upload (as {@code upload:<key>}). */
  public List<String> contents(String bucket) {
    List<String> objects = new java.util.ArrayList<>(
        client.listObjectsV2Paginator(r -> r.bucket(bucket)).contents().stream().map(S3Object::key).sorted().toList());
    client.listMultipartUploads(r -> r.bucket(bucket)).uploads().forEach(u -> objects.add("upload:" + u.key()));
    return objects;
  }
}
