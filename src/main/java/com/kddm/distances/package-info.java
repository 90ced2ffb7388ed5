/** Distances between the distribution of student features and the teacher's, as training losses. */
package com.kddm.distances;
