/** The worker role: claims queued jobs, trains them one at a time, keeps their leases alive. */
package com.kddm.workers;
