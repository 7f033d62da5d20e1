package dev.stripeinbox.event;

/**
 * Reads an event's {@link Envelope}: the few top-level fields the request thread needs, without
 * building the {@code data} tree.
 *
 * <p>Two readers share the work. {@link JacksonEnvelopeReader}, Jackson's streaming parser in one
 * pass, is the reference: it defines the envelope and every {@link InvalidPayloadException}
 * message. But it tokenises {@code data} to skip it, decoding every key and value inside, and that
 * was most of the request thread's cost (about three quarters of header parse, HMAC and envelope
 * read on a 4 KB event). So {@link EnvelopeScanner} runs first: one pass over the bytes that
 * compares the few keys it needs by their bytes and checks everything else against the JSON grammar
 * without decoding it. Whenever it is not certain of the reference's answer (malformed or unusual
 * JSON, an escape in a key it compares, a field of the wrong type, a missing id or type, anything
 * near a limit) it steps aside and the reference reads the body from the start. The result,
 * envelope or exception and its message, is therefore the reference's for every input; a
 * differential property test holds the two to it.
 *
 * <p>Malformed JSON anywhere in the body is rejected, not only in the fields read.
 *
 * <p>Thread-safe and stateless.
 */
public final class EnvelopeReader {
  private EnvelopeReader() {}

  /**
   * Reads the envelope of an event body.
   *
   * @throws InvalidPayloadException when the body is not a JSON object with a string {@code id} and
   *     {@code type}
   */
  public static Envelope read(byte[] body) {
    Envelope envelope;
    try {
      envelope = EnvelopeScanner.scan(body);
    } catch (RuntimeException e) {
      // A scanner defect must not become a server error on some body: the reference decides.
      envelope = null;
    }
    return envelope != null ? envelope : JacksonEnvelopeReader.read(body);
  }
}
