package dev.stripeinbox.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class JsonPathTest {
  @Test
  void overrideValuesThatReadAsJsonLiteralsBecomeThoseLiterals() {
    assertThat(JsonPath.parseValue("500")).isEqualTo(500L);
    assertThat(JsonPath.parseValue("-3")).isEqualTo(-3L);
    assertThat(JsonPath.parseValue("12.5")).isEqualTo(new BigDecimal("12.5"));
    assertThat(JsonPath.parseValue("1e3")).isEqualTo(new BigDecimal("1000"));
    assertThat(JsonPath.parseValue("true")).isEqualTo(true);
    assertThat(JsonPath.parseValue("false")).isEqualTo(false);
    assertThat(JsonPath.parseValue("null")).isNull();
  }

  @Test
  void everythingElseIsAString() {
    assertThat(JsonPath.parseValue("usd")).isEqualTo("usd");
    assertThat(JsonPath.parseValue("02134")).isEqualTo("02134");
    assertThat(JsonPath.parseValue("")).isEqualTo("");
    assertThat(JsonPath.parseValue("1.")).isEqualTo("1.");
    assertThat(JsonPath.parseValue("True")).isEqualTo("True");
    assertThat(JsonPath.parseValue("a=b")).isEqualTo("a=b");
  }

  @Test
  void aQuotedJsonStringIsTheStringInside() {
    assertThat(JsonPath.parseValue("\"500\"")).isEqualTo("500");
    assertThat(JsonPath.parseValue("\"a\\\"b\"")).isEqualTo("a\"b");
    assertThat(JsonPath.parseValue("\"unterminated\\\"")).isEqualTo("\"unterminated\\\"");
  }

  @Test
  void getReturnsNullForAnythingMissing() {
    Object tree = Json.parse("{\"a\":{\"b\":[1,{\"c\":\"d\"}]}}");

    assertThat(JsonPath.get(tree, "a.b.1.c")).isEqualTo("d");
    assertThat(JsonPath.get(tree, "a.b.7.c")).isNull();
    assertThat(JsonPath.get(tree, "a.x.y")).isNull();
    assertThat(JsonPath.get(tree, "a.b.0.c")).isNull();
  }
}
