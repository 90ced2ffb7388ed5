package com.kddm.training;

/**
 * What an uploaded ZIP may hold before it is refused. Sizes are counted as the entries really
 * inflate; the sizes a ZIP's headers announce are never trusted.
 *
 * @param maxEntries entries of any kind, folders and ignored files included
 * @param maxEntryBytes inflated bytes of one entry
 * @param maxTotalBytes inflated bytes of all entries together
 * @param maxRatio inflated bytes per compressed byte of one entry, checked once the entry has
 *     inflated past {@code ratioCheckedFrom} bytes (small files may compress very well honestly)
 * @param ratioCheckedFrom see {@code maxRatio}
 */
public record ZipLimits(int maxEntries, long maxEntryBytes, long maxTotalBytes, long maxRatio, long ratioCheckedFrom) {

  public static final ZipLimits DEFAULTS = new ZipLimits(1_000_000, 4L << 30, 16L << 30, 100, 4L << 20);

  public ZipLimits {
    if (maxEntries < 1 || maxEntryBytes < 1 || maxTotalBytes < 1 || maxRatio < 1 || ratioCheckedFrom < 0) {
      throw new IllegalArgumentException("ZIP limits must be positive");
    }
  }
}
