package io.upbot.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.upbot.ingest.TestEndpoint.Answer;
import io.upbot.schema.MediaEvent;
import io.upbot.schema.MediaEventCodec;
import io.upbot.schema.Text;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every request example of the OpenAPI document, posted to the real handler: the answer is exactly
 * the response example of the same name, and an accepted example is written as one record per item.
 */
class OpenApiExamplesTest {
  static final String EXAMPLES_TOKEN = "openapi-examples-token";
  static final String REPORT = "/paths/~1upbot~1api~1ReportMediaEvent/post";

  static TestEndpoint ep;
  static JsonNode doc = OpenApiDocumentTest.load();
  static MiniJsonSchema refs = new MiniJsonSchema(doc);

  /** A documented answer: the status it is listed under and its body. */
  record Documented(int status, JsonNode body) {}

  @BeforeAll
  static void start() throws Exception {
    ep = new TestEndpoint();
    // A token allowed for exactly the appids of the examples, no more.
    StringBuilder appids = new StringBuilder();
    for (String appid : exampleAppids()) {
      appids
          .append(appids.length() == 0 ? "" : ",")
          .append(TestEndpoint.JSON.writeValueAsString(appid));
    }
    Files.writeString(
        ep.tokensFile,
        "{\"tokens\":[{\"token\":\"" + EXAMPLES_TOKEN + "\",\"appids\":[" + appids + "]}]}");
    byte[] probe = TestEndpoint.JSON.writeValueAsBytes(example("api-example"));
    await().atMost(Duration.ofSeconds(10)).until(() -> post(probe, true).ret() == 0);
  }

  @AfterAll
  static void stop() {
    ep.close();
  }

  static Set<String> exampleAppids() {
    Set<String> out = new TreeSet<>();
    for (String name : exampleNames().toList()) {
      JsonNode appid = example(name).at("/head/account_info/appid");
      if (appid.isTextual()) {
        out.add(appid.textValue());
      }
    }
    return out;
  }

  static Stream<String> exampleNames() {
    return OpenApiDocumentTest.names(
        doc.at(REPORT + "/requestBody/content/application~1json/examples"))
        .stream();
  }

  static JsonNode example(String name) {
    return refs.resolve(
            doc.at(REPORT + "/requestBody/content/application~1json/examples").get(name))
        .path("value");
  }

  /** The response example named like the request example, wherever among the statuses it is. */
  static Documented documentedAnswer(String name) {
    Documented found = null;
    JsonNode responses = doc.at(REPORT + "/responses");
    for (String status : OpenApiDocumentTest.names(responses)) {
      JsonNode examples =
          refs.resolve(responses.get(status)).at("/content/application~1json/examples");
      if (examples.has(name)) {
        assertThat(found).as("one response example named " + name).isNull();
        found =
            new Documented(
                Integer.parseInt(status), refs.resolve(examples.get(name)).path("value"));
      }
    }
    assertThat(found).as("a response example named " + name).isNotNull();
    return found;
  }

  static Answer post(byte[] body, boolean validateOnly) {
    String path = IngestServer.API_PATH + (validateOnly ? "?validate=true" : "");
    HttpRequest.Builder b =
        ep.request(path)
            .header("Authorization", "Bearer " + EXAMPLES_TOKEN)
            .header("Content-Type", "application/json; charset=utf-8")
            .POST(BodyPublishers.ofByteArray(body));
    return ep.send(b);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("exampleNames")
  void shouldAnswerEachRequestExampleAsItsSameNamedResponseExampleSays(String name)
      throws Exception {
    JsonNode request = example(name);
    Documented expected = documentedAnswer(name);
    byte[] body = TestEndpoint.JSON.writeValueAsBytes(request);

    int before = ep.writer.written().size();
    Answer checked = post(body, true);
    assertThat(checked.status()).as("validate=true").isEqualTo(expected.status());
    assertThat(checked.json()).as("validate=true").isEqualTo(expected.body());
    assertThat(ep.writer.sent()).as("validate=true writes nothing").hasSize(before);

    Answer a = post(body, false);
    assertThat(a.status()).as(a.text()).isEqualTo(expected.status());
    assertThat(a.json()).as(a.text()).isEqualTo(expected.body());
    assertThat(a.header("Content-Type")).isEqualTo("application/json; charset=utf-8");

    List<MemoryRecordWriter.Written> written =
        ep.writer.written().subList(before, ep.writer.written().size());
    if (expected.body().path("ret").intValue() != 0) {
      assertThat(written).isEmpty();
      return;
    }
    JsonNode items = request.has("item") ? request.get("item") : request.get("items");
    assertThat(written).hasSize(items.size());
    for (int i = 0; i < items.size(); i++) {
      MediaEvent e = MediaEventCodec.decode(written.get(i).value());
      JsonNode item = items.get(i);
      // The document's promises: an integer event_id becomes its decimal string, seconds become
      // milliseconds, code and trace_id are trimmed and blank means absent.
      assertThat(e.eventId()).isEqualTo(item.get("event_id").asText());
      long t = item.get("event_time").longValue();
      assertThat(e.eventTime()).isEqualTo(t < BatchValidator.MILLIS_THRESHOLD ? t * 1000 : t);
      assertThat(e.code()).isEqualTo(trimmedOrNull(item.get("code")));
      assertThat(e.traceId()).isEqualTo(trimmedOrNull(item.get("trace_id")));
      assertThat(e.appid()).isEqualTo(request.at("/head/account_info/appid").textValue());
    }
  }

  @Test
  void shouldHaveBothAcceptedAndRejectedExamplesAndRefuseTheRejectedOnesForTheRightReason() {
    long accepted =
        exampleNames().filter(n -> documentedAnswer(n).body().path("ret").intValue() == 0).count();
    long rejected =
        exampleNames()
            .filter(
                n ->
                    documentedAnswer(n).body().path("ret").intValue() == Ret.PARAMETER_ERROR.code())
            .count();
    assertThat(accepted).isGreaterThanOrEqualTo(5);
    assertThat(rejected).isGreaterThanOrEqualTo(5);
    assertThat(accepted + rejected).isEqualTo(exampleNames().count());
    // Each rejected example documents its own detail: none is a copy of another.
    assertThat(
            exampleNames()
                .map(OpenApiExamplesTest::documentedAnswer)
                .filter(d -> d.status() == 400)
                .map(d -> d.body().path("detail").textValue())
                .distinct()
                .count())
        .isEqualTo(rejected);
  }

  @Test
  void shouldUseATokenLimitedToTheExamplesAppids() {
    // The examples' token is not a wildcard: another appid is refused with 1002.
    String otherApp =
        example("api-example")
            .toString()
            .replace("\"appid\":\"xxxx\"", "\"appid\":\"not-an-example-app\"");
    Answer a = post(otherApp.getBytes(java.nio.charset.StandardCharsets.UTF_8), true);
    assertThat(a.ret()).isEqualTo(Ret.AUTH_FAILED.code());
    assertThat(a.json()).isEqualTo(documentedAnswer("appid-not-allowed").body());
  }

  private static String trimmedOrNull(JsonNode n) {
    if (n == null || n.isNull()) {
      return null;
    }
    String s = Text.trimWhiteSpace(n.textValue());
    return s.isEmpty() ? null : s;
  }
}
