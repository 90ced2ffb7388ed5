package com.kddm.training;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

/**
 * Reads an uploaded ZIP as a stream, one entry at a time, refusing what a hostile or broken archive
 * may hold: names that climb out of the archive (path traversal), too many entries, entries or
 * archives that inflate past the {@link ZipLimits}, and absurd compression ratios. Bytes are counted
 * as they inflate, so a header that lies about sizes changes nothing. Every refusal is an {@link
 * InvalidDataException} naming the entry.
 */
public final class SafeZip implements Closeable {

  private final Counting compressed;
  private final ZipInputStream zip;
  private final ZipLimits limits;
  private final String what;
  private int entries;
  private long totalInflated;
  private Entry current;

  /** @param what how refusals name the archive ("zip", "npz") */
  public SafeZip(InputStream raw, ZipLimits limits, String what) {
    this.compressed = new Counting(new BufferedInputStream(raw, 1 << 16));
    this.zip = new ZipInputStream(compressed);
    this.limits = limits;
    this.what = what;
  }

  /** One entry: its name as validated, and a stream of its inflated bytes, watched. */
  public final class Entry extends InputStream {
    private final String name;
    private final boolean directory;
    private final long compressedStart;
    private long inflated;

    private Entry(String name, boolean directory) {
      this.name = name;
      this.directory = directory;
      this.compressedStart = compressed.count;
    }

    public String name() {
      return name;
    }

    public boolean isDirectory() {
      return directory;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n;
      try {
        n = zip.read(b, off, len);
      } catch (ZipException | EOFException e) {
        throw corrupt(e);
      }
      if (n > 0) {
        count(n);
      }
      return n;
    }

    private void count(int n) {
      inflated += n;
      totalInflated += n;
      if (inflated > limits.maxEntryBytes()) {
        throw new InvalidDataException(what + ": entry '" + name + "' inflates past " + bytes(limits.maxEntryBytes())
            + " (the limit for one entry)");
      }
      if (totalInflated > limits.maxTotalBytes()) {
        throw new InvalidDataException(what + ": the archive inflates past " + bytes(limits.maxTotalBytes())
            + " in all (the limit for one upload)");
      }
      long packed = Math.max(1, compressed.count - compressedStart);
      if (inflated > limits.ratioCheckedFrom() && inflated / packed > limits.maxRatio()) {
        throw new InvalidDataException(what + ": entry '" + name + "' has a compression ratio above "
            + limits.maxRatio() + ":1; refusing a likely zip bomb");
      }
    }

    /** Reads what is left of the entry, so that it is counted against the limits too. */
    public void drain() throws IOException {
      transferTo(OutputStream.nullOutputStream());
    }

    @Override
    public void close() {
      // The archive stays open for the next entry.
    }
  }

  /** The next entry, its name checked; null at the end of the archive. */
  public Entry next() throws IOException {
    if (current != null) {
      current.drain();
    }
    ZipEntry entry;
    try {
      entry = zip.getNextEntry();
    } catch (ZipException | EOFException e) {
      throw corrupt(e);
    } catch (IllegalArgumentException e) {
      throw new InvalidDataException(what + ": an entry name is not valid UTF-8 (" + e.getMessage() + ")", e);
    }
    if (entry == null) {
      current = null;
      if (entries > 0) {
        requireEnd();
      }
      return null;
    }
    if (++entries > limits.maxEntries()) {
      throw new InvalidDataException(what + ": more than " + limits.maxEntries() + " entries (the limit for one upload)");
    }
    current = new Entry(checkName(entry.getName()), entry.isDirectory());
    return current;
  }

  /** How many entries have been seen so far. */
  public int entries() {
    return entries;
  }

  private String checkName(String name) {
    String shown = name.length() > 200 ? name.substring(0, 200) + "…" : name;
    if (name.isEmpty() || name.indexOf('\\') >= 0 || name.startsWith("/")
        || name.length() >= 2 && name.charAt(1) == ':' || name.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw new InvalidDataException(what + ": entry '" + shown + "' has an unsafe name (absolute path, drive letter,"
          + " backslash or control character); names must be relative paths with forward slashes");
    }
    for (String segment : name.split("/", -1)) {
      if (segment.equals("..") || segment.equals(".")) {
        throw new InvalidDataException(what + ": entry '" + shown + "' has a '" + segment
            + "' path segment (path traversal); names must stay inside the archive");
      }
    }
    return name;
  }

  /**
   * A stream reader stops at the first thing that is not an entry, so an archive cut short between
   * two entries would read as a smaller one: the end of central directory record must follow.
   */
  private void requireEnd() throws IOException {
    compressed.transferTo(OutputStream.nullOutputStream());
    if (!compressed.tailHasEndRecord()) {
      throw new InvalidDataException(what + ": corrupt or truncated zip archive (no end of central directory record;"
          + " the file was cut short)");
    }
  }

  private InvalidDataException corrupt(IOException e) {
    return new InvalidDataException(what + ": corrupt or truncated zip archive (" + e.getMessage() + ")", e);
  }

  private static String bytes(long n) {
    return n % (1L << 30) == 0 ? (n >> 30) + " GiB" : n % (1L << 20) == 0 ? (n >> 20) + " MiB" : n + " bytes";
  }

  @Override
  public void close() throws IOException {
    zip.close();
  }

  /** Counts the compressed bytes the zip reader pulls, and keeps the last of them. */
  private static final class Counting extends FilterInputStream {
    /** The end record (22 bytes) and its comment (up to 65,535) end a ZIP. */
    private static final int TAIL = 22 + 65_535;

    private final byte[] tail = new byte[TAIL];
    long count;

    Counting(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      for (int i = 0; i < n; i++) {
        tail[(int) ((count + i) % TAIL)] = b[off + i];
      }
      if (n > 0) {
        count += n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      int want = (int) Math.max(0, Math.min(n, 1 << 16));
      return Math.max(0, read(new byte[want], 0, want));
    }

    boolean tailHasEndRecord() {
      int length = (int) Math.min(count, TAIL);
      for (int back = 22; back <= length; back++) {
        long at = count - back;
        if (byteAt(at) == 'P' && byteAt(at + 1) == 'K' && byteAt(at + 2) == 5 && byteAt(at + 3) == 6) {
          return true;
        }
      }
      return false;
    }

    private int byteAt(long position) {
      return tail[(int) (position % TAIL)];
    }
  }
}
