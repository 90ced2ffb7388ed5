/** Where artifacts live: uploaded data, teachers and trained students, addressed by key. */
package com.kddm.storage;
