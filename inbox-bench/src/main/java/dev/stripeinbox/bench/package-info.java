/** Benchmarks of stripe-inbox and the servers it is compared with. */
package dev.stripeinbox.bench;
