/** Cross-cutting configuration: the embedded database, error responses, process roles. */
package com.kddm.system;
