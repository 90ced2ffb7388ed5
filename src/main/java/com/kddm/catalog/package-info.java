/** What the service offers: the distances and architectures a job may name. */
package com.kddm.catalog;
