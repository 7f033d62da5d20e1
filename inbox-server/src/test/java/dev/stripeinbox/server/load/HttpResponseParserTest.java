package dev.stripeinbox.server.load;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class HttpResponseParserTest {
  final HttpResponseParser parser = new HttpResponseParser();

  int parse(String response) throws IOException {
    byte[] b = response.getBytes(US_ASCII);
    return parser.parse(b, b.length);
  }

  @Test
  void contentLengthResponseEndsAfterItsBody() throws IOException {
    String r =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 36\r\n\r\n"
            + "{\"received\":true,\"duplicate\":true}\n\n";
    assertThat(parse(r)).isEqualTo(r.length());
    assertThat(parser.status).isEqualTo(200);
    assertThat(parser.keepAlive).isTrue();
    assertThat(parser.saysDuplicate(r.getBytes(US_ASCII), r.length())).isTrue();
    assertThat(parse(r.substring(0, r.length() - 1))).isEqualTo(HttpResponseParser.INCOMPLETE);
  }

  @Test
  void chunkedResponseEndsAfterTheLastChunk() throws IOException {
    String r = "HTTP/1.1 400 Bad\r\ntransfer-encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n";
    assertThat(parse(r)).isEqualTo(r.length());
    assertThat(parser.status).isEqualTo(400);
    assertThat(parse(r.substring(0, r.length() - 2))).isEqualTo(HttpResponseParser.INCOMPLETE);
  }

  @Test
  void connectionCloseAndHttp10EndKeepAlive() throws IOException {
    parse("HTTP/1.1 503 x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    assertThat(parser.keepAlive).isFalse();
    assertThat(parse("HTTP/1.0 200 OK\r\n\r\nbody")).isEqualTo(HttpResponseParser.UNTIL_CLOSE);
    assertThat(parser.keepAlive).isFalse();
  }

  @Test
  void noContentHasNoBody() throws IOException {
    String r = "HTTP/1.1 204 No Content\r\n\r\n";
    assertThat(parse(r)).isEqualTo(r.length());
  }

  @Test
  void garbageIsAnError() {
    assertThrows(IOException.class, () -> parse("SSH-2.0-OpenSSH_9.2\r\n\r\n"));
    assertThrows(IOException.class, () -> parse("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n"));
  }
}
