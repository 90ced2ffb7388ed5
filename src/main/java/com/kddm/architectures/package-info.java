/** Network architectures built from DJL layers; every network answers its features and its logits. */
package com.kddm.architectures;
