package io.upbot.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.util.Methods;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The router alone, on an Undertow listener of its own, with handlers that name themselves. */
class RouterTest {
  static Undertow server;
  static final Metrics METRICS = new Metrics();
  static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private static HttpHandler says(String name) {
    return ex -> ex.getResponseSender().send(name);
  }

  @BeforeAll
  static void start() {
    Answers answers = new Answers(METRICS, new Cors(List.of()));
    Router router =
        new Router(answers)
            .add(Methods.POST, "/api/report", says("report"))
            .add(Methods.OPTIONS, "/api/report", says("preflight"))
            .add(Methods.GET, "/healthz", says("health"));
    server =
        Undertow.builder()
            .addHttpListener(0, "127.0.0.1")
            .setServerOption(UndertowOptions.DECODE_URL, false)
            .setHandler(new EntryHandler(answers, router))
            .build();
    server.start();
  }

  @AfterAll
  static void stop() {
    server.stop();
  }

  static HttpResponse<String> send(String method, String path) throws Exception {
    int port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .method(method, BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static int ret(HttpResponse<String> r) throws Exception {
    JsonNode n = TestEndpoint.JSON.readTree(r.body());
    return n.get("ret").intValue();
  }

  @Test
  void shouldRouteByExactPathAndMethod() throws Exception {
    assertThat(send("POST", "/api/report").body()).isEqualTo("report");
    assertThat(send("OPTIONS", "/api/report").body()).isEqualTo("preflight");
    assertThat(send("GET", "/healthz").body()).isEqualTo("health");
  }

  @Test
  void shouldMatchThePathAfterDecodingItsEscapes() throws Exception {
    assertThat(send("POST", "/api/%72eport").body()).isEqualTo("report");
  }

  @Test
  void shouldAnswer1404ToAnUnknownPathATrailingSlashOrAnEscapeThatIsNotUtf8() throws Exception {
    for (String path : List.of("/api/nope", "/api/report/", "/API/report", "/api/%C0%AF")) {
      HttpResponse<String> r = send("POST", path);
      assertThat(r.statusCode()).as(path).isEqualTo(404);
      assertThat(ret(r)).as(path).isEqualTo(Ret.NOT_FOUND.code());
    }
  }

  @Test
  void shouldAnswer1405WithTheMethodsOfThePathInTheOrderTheyWereAdded() throws Exception {
    long before = METRICS.requests(Ret.METHOD_NOT_ALLOWED);
    HttpResponse<String> put = send("PUT", "/api/report");
    assertThat(put.statusCode()).isEqualTo(405);
    assertThat(ret(put)).isEqualTo(Ret.METHOD_NOT_ALLOWED.code());
    assertThat(put.headers().firstValue("Allow")).hasValue("POST, OPTIONS");
    HttpResponse<String> post = send("POST", "/healthz");
    assertThat(post.headers().firstValue("Allow")).hasValue("GET");
    assertThat(METRICS.requests(Ret.METHOD_NOT_ALLOWED)).isEqualTo(before + 2);
  }
}
