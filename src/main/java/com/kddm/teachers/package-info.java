/** Teachers: trained networks that students are distilled from, checked when registered. */
package com.kddm.teachers;
