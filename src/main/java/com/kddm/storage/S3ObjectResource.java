package com.kddm.storage;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import org.springframework.core.io.AbstractResource;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * An object as a Spring {@link org.springframework.core.io.Resource} for downloads. Spring MVC
 * answers a {@code Range} request by skipping to each range's start in the resource's stream; this
 * stream turns a skip before (or far ahead of) the bytes it has fetched into a ranged GET from the
 * new position, so a range near the end of a large object costs only its own bytes.
 */
final class S3ObjectResource extends AbstractResource {

  /** Skips up to this far are read through: cheaper than a new request. */
  private static final long READ_THROUGH = 1 << 20;

  private final S3BlobStore store;
  private final String key;
  private final String description;
  private volatile HeadObjectResponse head;

  S3ObjectResource(S3BlobStore store, String key, String description) {
    this.store = store;
    this.key = key;
    this.description = description;
  }

  private HeadObjectResponse head() throws IOException {
    if (head == null) {
      head = store.head(key);
    }
    return head;
  }

  @Override
  public boolean exists() {
    try {
      head();
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public long contentLength() throws IOException {
    return head().contentLength();
  }

  @Override
  public long lastModified() throws IOException {
    return head().lastModified() == null ? 0 : head().lastModified().toEpochMilli();
  }

  @Override
  public String getFilename() {
    return key.substring(key.lastIndexOf('/') + 1);
  }

  @Override
  public String getDescription() {
    return description;
  }

  @Override
  public InputStream getInputStream() throws IOException {
    return new Ranged(contentLength());
  }

  private final class Ranged extends InputStream {
    private final long length;
    private long position;
    private ResponseInputStream<GetObjectResponse> body;

    Ranged(long length) {
      this.length = length;
    }

    private InputStream body() throws IOException {
      if (body == null) {
        body = store.get(key, position);
      }
      return body;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (position >= length) {
        return -1;
      }
      if (len == 0) {
        return 0;
      }
      int n = body().read(b, off, (int) Math.min(len, length - position));
      if (n < 0) {
        throw new EOFException(description + " ended at byte " + position + " of " + length);
      }
      position += n;
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long step = Math.min(Math.max(n, 0), length - position);
      if (step == 0) {
        return 0;
      }
      if (body != null && step <= READ_THROUGH) {
        body.skipNBytes(step);
      } else {
        dropBody();
      }
      position += step;
      return step;
    }

    @Override
    public int available() throws IOException {
      return body == null ? 0 : body.available();
    }

    @Override
    public void close() throws IOException {
      dropBody();
    }

    /** Stops a transfer that has not reached its end, instead of draining it. */
    private void dropBody() throws IOException {
      if (body != null) {
        if (position < length) {
          body.abort();
        }
        body.close();
        body = null;
      }
    }
  }

}
