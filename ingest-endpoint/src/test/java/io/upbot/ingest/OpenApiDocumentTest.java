package io.upbot.ingest;

import static io.upbot.ingest.TestEndpoint.ALLOWED_ORIGIN;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.upbot.ingest.TestEndpoint.Answer;
import io.upbot.schema.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document: served as kept in the repository, complete, and in step with {@link Ret}.
 */
class OpenApiDocumentTest {
  /** The document as kept in the repository (surefire runs in the module's folder). */
  static final Path REPOSITORY_FILE = Path.of("src/main/resources/openapi.json");

  static final String API = IngestServer.API_PATH;

  static TestEndpoint ep;
  static JsonNode doc;
  static MiniJsonSchema schemas;

  @BeforeAll
  static void start() {
    ep = new TestEndpoint();
    doc = load();
    schemas = new MiniJsonSchema(doc);
  }

  @AfterAll
  static void stop() {
    ep.close();
  }

  static JsonNode load() {
    try {
      return TestEndpoint.JSON.readTree(Files.readAllBytes(REPOSITORY_FILE));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void shouldServeTheRepositoryFileByteForByteWithoutATokenAndWithCors() throws IOException {
    Answer a = ep.send(ep.request(OpenApiDocument.PATH).GET().header("Origin", ALLOWED_ORIGIN));
    assertThat(a.status()).isEqualTo(200);
    assertThat(a.header("Content-Type")).isEqualTo("application/json; charset=utf-8");
    assertThat(a.response().body()).isEqualTo(Files.readAllBytes(REPOSITORY_FILE));
    assertThat(a.header("Access-Control-Allow-Origin")).isEqualTo(ALLOWED_ORIGIN);
    assertThat(a.header("Vary")).isEqualTo("Origin");
    Answer foreign =
        ep.send(
            ep.request(OpenApiDocument.PATH).GET().header("Origin", "https://evil.example.com"));
    assertThat(foreign.status()).isEqualTo(200);
    assertThat(foreign.header("Access-Control-Allow-Origin")).isNull();
  }

  @Test
  void shouldAnswerOtherMethodsOnTheDocumentWith405InJson() {
    for (String method : List.of("POST", "PUT", "DELETE")) {
      Answer a =
          ep.send(ep.request(OpenApiDocument.PATH).method(method, BodyPublishers.ofString("{}")));
      assertThat(a.status()).as(method).isEqualTo(405);
      assertThat(a.ret()).isEqualTo(Ret.METHOD_NOT_ALLOWED.code());
      assertThat(a.msg()).isEqualTo(Ret.METHOD_NOT_ALLOWED.msg());
      assertThat(a.header("Allow")).isEqualTo("GET");
      assertThat(a.header("Content-Type")).isEqualTo("application/json; charset=utf-8");
    }
    // Only the exact path: a neighbour is still unknown.
    assertThat(ep.send(ep.request("/upbot/api/openapi.yaml").GET()).ret())
        .isEqualTo(Ret.NOT_FOUND.code());
  }

  @Test
  void shouldDescribeEveryRouteOfTheEndpoint() {
    assertThat(doc.path("openapi").textValue()).isEqualTo("3.1.0");
    assertThat(doc.path("info").path("title").isTextual()).isTrue();
    assertThat(doc.path("info").path("version").isTextual()).isTrue();
    Map<String, Set<String>> expected =
        Map.of(
            API,
            Set.of("post", "options"),
            "/healthz",
            Set.of("get"),
            "/readyz",
            Set.of("get"),
            "/metrics",
            Set.of("get"),
            OpenApiDocument.PATH,
            Set.of("get"));
    assertThat(names(doc.path("paths"))).isEqualTo(new TreeSet<>(expected.keySet()));
    expected.forEach(
        (path, methods) ->
            assertThat(names(doc.path("paths").path(path)))
                .as(path)
                .isEqualTo(new TreeSet<>(methods)));
    assertThat(doc.at("/paths/~1metrics/get/responses/200/content").has("text/plain")).isTrue();
    assertThat(doc.at("/components/responses/RateLimited/headers").has("Retry-After")).isTrue();
    assertThat(doc.at("/components/headers/RetryAfter/required").asBoolean()).isTrue();
    assertThat(names(doc.at("/components/securitySchemes"))).containsExactly("bearer", "token");
    assertThat(doc.at("/components/securitySchemes/token/type").textValue()).isEqualTo("apiKey");
    assertThat(doc.at("/components/securitySchemes/token/name").textValue())
        .isEqualTo("Authorization");
    // Everything but the API itself is open.
    expected.forEach(
        (path, methods) ->
            methods.forEach(
                m -> {
                  JsonNode security = doc.path("paths").path(path).path(m).path("security");
                  if (path.equals(API) && m.equals("post")) {
                    assertThat(security.size()).isEqualTo(2);
                  } else {
                    assertThat(security.isArray() && security.isEmpty())
                        .as(path + " " + m)
                        .isTrue();
                  }
                }));
  }

  @Test
  void shouldRouteEveryDocumentedGetPath() {
    for (String path : names(doc.path("paths"))) {
      if (doc.path("paths").path(path).has("get")) {
        int status = ep.send(ep.request(path).GET()).status();
        assertThat(status).as(path).isEqualTo(200);
      }
    }
  }

  @Test
  void shouldDocumentEveryRetWithTheHttpStatusAndMsgOfTheCode() {
    JsonNode responses = doc.at("/components/responses");
    Set<Integer> documented = new TreeSet<>();
    for (String name : names(responses)) {
      JsonNode r = responses.get(name);
      JsonNode retConst = answerSchema(r).at("/properties/ret/const");
      if (retConst.isInt()) {
        documented.add(retConst.intValue());
      }
    }
    assertThat(documented)
        .as("ret codes documented under components.responses")
        .isEqualTo(
            Arrays.stream(Ret.values())
                .map(Ret::code)
                .collect(Collectors.toCollection(TreeSet::new)));

    for (Ret ret : Ret.values()) {
      JsonNode response = componentResponseFor(ret);
      assertThat(response.path("x-http-status").intValue())
          .as(ret.name())
          .isEqualTo(ret.httpStatus());
      JsonNode schema = answerSchema(response);
      assertThat(schema.at("/properties/msg/const").textValue())
          .as(ret.name())
          .isEqualTo(ret.msg());
      assertThat(response.path("description").textValue())
          .as(ret.name())
          .startsWith(
              "ret " + ret.code() + ", HTTP " + ret.httpStatus() + ", msg \"" + ret.msg() + "\".");
      JsonNode examples = response.at("/content/application~1json/examples");
      assertThat(examples.size()).as(ret.name() + " examples").isPositive();
      for (String name : names(examples)) {
        JsonNode value = schemas.resolve(examples.get(name)).path("value");
        assertThat(value.path("ret").intValue()).as(name).isEqualTo(ret.code());
        assertThat(value.path("msg").textValue()).as(name).isEqualTo(ret.msg());
        assertThat(schemas.errors(schema, value)).as(name).isEmpty();
        assertThat(schemas.errors(doc.at("/components/schemas/Answer"), value)).as(name).isEmpty();
      }
      // The table of the info description, for people reading the rendered document.
      assertThat(doc.at("/info/description").textValue())
          .contains(
              "| "
                  + ret.code()
                  + " | "
                  + ret.httpStatus()
                  + " | `"
                  + (ret.msg().isEmpty() ? "\"\"" : ret.msg())
                  + "` |");
    }
    Set<Integer> answerEnum = new TreeSet<>();
    doc.at("/components/schemas/Answer/properties/ret/enum")
        .forEach(n -> answerEnum.add(n.intValue()));
    assertThat(answerEnum).isEqualTo(documented);
  }

  @Test
  void shouldAnswerTheReportOperationWithEveryRetButWrongPathAndMethodUnderItsOwnStatus() {
    JsonNode responses = doc.at("/paths/~1upbot~1api~1ReportMediaEvent/post/responses");
    Set<String> expected =
        Arrays.stream(Ret.values())
            .filter(r -> r != Ret.NOT_FOUND && r != Ret.METHOD_NOT_ALLOWED)
            .map(r -> Integer.toString(r.httpStatus()))
            .collect(Collectors.toCollection(TreeSet::new));
    assertThat(names(responses)).isEqualTo(expected);
    for (String status : names(responses)) {
      JsonNode r = schemas.resolve(responses.get(status));
      assertThat(r.path("x-http-status").intValue()).as(status).isEqualTo(Integer.parseInt(status));
    }
  }

  @Test
  void shouldCarryTheApiDocumentsOwnExampleUnchanged() throws IOException {
    JsonNode example = requestExamples().get("api-example").path("value");
    assertThat(example)
        .isEqualTo(TestEndpoint.JSON.readTree(Fixtures.bytes("requests/valid/api-example.json")));
    assertThat(example.at("/items/0/code").textValue()).endsWith(" ");
    assertThat(example.at("/items/0/event_id").textValue()).isEqualTo("1002");
  }

  @Test
  void shouldOfferNamedExamplesOfEachAcceptedFormAndOfRejections() {
    JsonNode examples = requestExamples();
    assertThat(names(examples))
        .contains(
            "api-example", "funnel-batch", "item-alias", "event-id-integer", "event-time-millis");
    List<String> funnel = new ArrayList<>();
    examples.at("/funnel-batch/value/items").forEach(i -> funnel.add(i.path("event_id").asText()));
    assertThat(funnel).containsExactly("1110201", "1110204", "1110205");
    assertThat(examples.at("/funnel-batch/value/items/0/duration").isInt()).isTrue();
    assertThat(examples.at("/item-alias/value").has("item")).isTrue();
    assertThat(examples.at("/item-alias/value").has("items")).isFalse();
    assertThat(examples.at("/event-id-integer/value/items/0/event_id").isIntegralNumber()).isTrue();
    assertThat(examples.at("/event-time-millis/value/items/0/event_time").longValue())
        .isGreaterThanOrEqualTo(BatchValidator.MILLIS_THRESHOLD);
    long rejected =
        names(examples).stream()
            .filter(n -> examples.get(n).path("summary").asText().startsWith("Rejected"))
            .count();
    assertThat(rejected).isGreaterThanOrEqualTo(5);
  }

  /**
   * The request schema against the examples: every accepted one satisfies it, and every rejected
   * one breaks it unless its example says the rule is beyond JSON Schema ({@code x-beyond-schema}).
   */
  @Test
  void shouldMatchTheRequestSchemaToTheExamples() {
    JsonNode schema =
        doc.at(
            "/paths/~1upbot~1api~1ReportMediaEvent/post/requestBody/content/application~1json/schema");
    JsonNode examples = requestExamples();
    int beyond = 0;
    for (String name : names(examples)) {
      JsonNode example = examples.get(name);
      List<String> errors = schemas.errors(schema, example.path("value"));
      boolean rejected = example.path("summary").asText().startsWith("Rejected");
      if (!rejected) {
        assertThat(errors).as(name).isEmpty();
      } else if (example.path("x-beyond-schema").asBoolean()) {
        beyond++;
        assertThat(errors).as(name + " is marked beyond the schema").isEmpty();
      } else {
        assertThat(errors).as(name + " should break the schema").isNotEmpty();
      }
    }
    assertThat(beyond).isLessThanOrEqualTo(1);
  }

  @Test
  void shouldHaveTheHandCheckerRefuseWhatTheSchemaForbids() {
    // The checker itself, on the document's own schema: it could otherwise pass everything.
    JsonNode item = doc.at("/components/schemas/MediaEventItem");
    assertThat(
            schemas.errors(
                item, json("{\"event_id\":\"1110201\",\"event_time\":1699274742,\"duration\":0}")))
        .isEmpty();
    assertThat(
            schemas.errors(
                item, json("{\"event_id\":1110201,\"event_time\":1699274742123,\"code\":null}")))
        .isEmpty();
    assertThat(schemas.errors(item, json("{\"event_id\":\"\",\"event_time\":1}"))).isNotEmpty();
    assertThat(schemas.errors(item, json("{\"event_id\":\"x\",\"event_time\":0}"))).isNotEmpty();
    assertThat(
            schemas.errors(item, json("{\"event_id\":\"x\",\"event_time\":1,\"duration\":86401}")))
        .isNotEmpty();
    assertThat(schemas.errors(item, json("{\"event_id\":\"x\"}")))
        .containsExactly("$.event_time: required");
    assertThat(
            schemas.errors(
                item, json("{\"event_id\":\"x\",\"event_time\":1,\"code\":\"a\\u0000\"}")))
        .isNotEmpty();
    JsonNode request = doc.at("/components/schemas/ReportMediaEventRequest");
    String head = "{\"account_info\":{\"account_type\":2,\"appid\":\"a\",\"openid\":\"o\"}}";
    String items = "[{\"event_id\":\"x\",\"event_time\":1}]";
    assertThat(schemas.errors(request, json("{\"head\":" + head + ",\"items\":" + items + "}")))
        .isEmpty();
    assertThat(schemas.errors(request, json("{\"head\":" + head + ",\"item\":" + items + "}")))
        .isEmpty();
    assertThat(
            schemas.errors(
                request,
                json("{\"head\":" + head + ",\"item\":" + items + ",\"items\":" + items + "}")))
        .isNotEmpty();
    assertThat(schemas.errors(request, json("{\"head\":" + head + "}"))).isNotEmpty();
  }

  static JsonNode requestExamples() {
    return doc.at(
        "/paths/~1upbot~1api~1ReportMediaEvent/post/requestBody/content/application~1json/examples");
  }

  private static JsonNode componentResponseFor(Ret ret) {
    JsonNode found = null;
    JsonNode responses = doc.at("/components/responses");
    for (String name : names(responses)) {
      JsonNode r = responses.get(name);
      // 1001 has two answers (400, and 408 at the body deadline): the code and the status pick one.
      if (answerSchema(r).at("/properties/ret/const").asInt(-1) == ret.code()
          && schemas.resolve(r).path("x-http-status").intValue() == ret.httpStatus()) {
        assertThat(found).as("one response for " + ret).isNull();
        found = r;
      }
    }
    assertThat(found).as("a response for " + ret).isNotNull();
    return found;
  }

  private static JsonNode answerSchema(JsonNode response) {
    return schemas.resolve(schemas.resolve(response).at("/content/application~1json/schema"));
  }

  static TreeSet<String> names(JsonNode object) {
    TreeSet<String> out = new TreeSet<>();
    for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
      out.add(it.next());
    }
    return out;
  }

  private static JsonNode json(String text) {
    try {
      return TestEndpoint.JSON.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
