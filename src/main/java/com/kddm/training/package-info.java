/**
 * The training core: data in memory, the KDDM objective, the training loop and the student archive
 * format. Knows nothing of Spring, HTTP or the database.
 */
package com.kddm.training;
