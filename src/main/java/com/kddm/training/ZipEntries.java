package com.kddm.training;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/** Reads an archive entry into memory, refusing one that inflates past a limit (a ZIP bomb, or the wrong file). */
final class ZipEntries {

  private ZipEntries() {}

  static byte[] read(ZipInputStream zip, ZipEntry entry, long maxBytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[1 << 16];
    long total = 0;
    for (int read; (read = zip.read(buffer)) > 0; ) {
      total += read;
      if (total > maxBytes) {
        throw new InvalidDataException(entry.getName() + " is larger than " + (maxBytes >> 20) + " MiB");
      }
      out.write(buffer, 0, read);
    }
    return out.toByteArray();
  }

  /**
   * An entry to write whose timestamp is fixed, so that the same content makes the same bytes
   * (and digest) whenever it is written.
   */
  static ZipEntry timeless(String name) {
    ZipEntry entry = new ZipEntry(name);
    entry.setTimeLocal(java.time.LocalDateTime.of(1980, 1, 1, 0, 0));
    return entry;
  }
}
