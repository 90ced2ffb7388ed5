/** Uploaded datasets: validation at upload, storage, and loading for training. */
package com.kddm.datasets;
