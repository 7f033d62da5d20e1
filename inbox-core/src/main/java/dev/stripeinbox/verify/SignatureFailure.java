package dev.stripeinbox.verify;

/**
 * Why a delivery was rejected. Each value maps one-to-one onto an error code of the HTTP contract,
 * so adapters never invent their own.
 */
public enum SignatureFailure {
  /** No {@code Stripe-Signature} header at all. */
  SIGNATURE_MISSING("signature_missing", "no Stripe-Signature header"),
  /** The header is present but is not {@code t=<unix seconds>,v1=<hex>,...}. */
  SIGNATURE_MALFORMED("signature_malformed", "Stripe-Signature header is malformed"),
  /** Well formed, but no {@code v1} signature matches any of the endpoint's secrets. */
  SIGNATURE_MISMATCH(
      "signature_mismatch", "no v1 signature matches any of the endpoint's signing secrets"),
  /** The signed timestamp is further in the past or the future than the tolerance. */
  TIMESTAMP_OUTSIDE_TOLERANCE(
      "timestamp_outside_tolerance", "signature timestamp is outside the allowed tolerance");

  private final String code;
  private final String message;

  SignatureFailure(String code, String message) {
    this.code = code;
    this.message = message;
  }

  /** The stable error code of the HTTP contract, such as {@code signature_mismatch}. */
  public String code() {
    return code;
  }

  /** A one-line human explanation, safe to return to the caller (it holds no secret). */
  public String message() {
    return message;
  }
}
