/** stripe-inbox: the production-grade Stripe webhook endpoint for the JVM. */
package dev.stripeinbox;
