package io.upbot.wecom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.upbot.testkit.wecom.MockWeCom;
import io.upbot.testkit.wecom.MockWeCom.Fault;
import io.upbot.testkit.wecom.MockWeCom.Member;
import io.upbot.wecom.WeComApi.ApiException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The API client against MockWeCom: tokens, their renewal, retries, timeouts. */
class WeComApiTest {

  static final String CORP = "ww-corp-1";
  static final String SECRET = "app-secret";

  MockWeCom wecom;
  WeComMetrics metrics;
  List<Duration> sleeps;

  @BeforeEach
  void start() {
    wecom = MockWeCom.start(CORP, SECRET);
    wecom.addMember("chat-1", Member.external("wm-1", "union-1", "CODE1", 1699274760L));
    wecom.addMember("chat-1", new Member("staff-1", 1, null, null, 1699274000L, 1));
    metrics = new WeComMetrics();
    sleeps = new CopyOnWriteArrayList<>();
  }

  @AfterEach
  void stop() {
    wecom.close();
  }

  WeComApi api(String secret, Duration timeout, int attempts, Clock clock) {
    return new WeComApi(
        new WeComApi.Settings(
            URI.create(wecom.url()),
            CORP,
            secret,
            timeout,
            attempts,
            Duration.ofMillis(100),
            Duration.ofMillis(300)),
        HttpClient.newBuilder().connectTimeout(timeout).build(),
        sleeps::add,
        clock,
        metrics);
  }

  WeComApi api() {
    return api(SECRET, Duration.ofSeconds(5), 4, Clock.systemUTC());
  }

  @Test
  void shouldReadTheMembersWithUnionidStateJoinTimeAndScene() throws Exception {
    WeComApi.GroupChat g = api().groupChat("chat-1");
    assertThat(g.chatId()).isEqualTo("chat-1");
    assertThat(g.members())
        .containsExactly(
            new WeComApi.Member("wm-1", 2, "union-1", "CODE1", 1699274760L, 3),
            new WeComApi.Member("staff-1", 1, null, null, 1699274000L, 1));
  }

  @Test
  void shouldFetchATokenOnceAndReuseItWhileItIsValid() throws Exception {
    WeComApi api = api();
    api.groupChat("chat-1");
    api.groupChat("chat-1");
    api.groupChat("chat-1");
    assertThat(wecom.gettokenCalls()).isEqualTo(1);
    assertThat(wecom.groupchatGetCalls()).isEqualTo(3);
  }

  @Test
  void shouldRenewTheTokenAtOnceWhenWeComAnswers42001() throws Exception {
    WeComApi api = api();
    api.groupChat("chat-1");
    wecom.fail(Fault.EXPIRED_TOKEN);
    assertThat(api.groupChat("chat-1").members()).hasSize(2);
    assertThat(wecom.gettokenCalls()).isEqualTo(2);
    assertThat(sleeps).as("a renewal is not a backoff").isEmpty();
    assertThat(
            metrics.get(
                "upbot_wecom_api_calls_total{api=\"externalcontact/groupchat/get\","
                    + "result=\"token_renewed\"}"))
        .isEqualTo(1);
  }

  @Test
  void shouldRenewTheTokenWhenWeComAnswers40014() throws Exception {
    WeComApi api = api();
    api.groupChat("chat-1");
    wecom.forgetAllTokens();
    assertThat(api.groupChat("chat-1").chatId()).isEqualTo("chat-1");
    assertThat(wecom.gettokenCalls()).isEqualTo(2);
    assertThat(sleeps).isEmpty();
  }

  @Test
  void shouldRenewOnlyOncePerCallWhenWeComKeepsRefusingTheToken() {
    WeComApi api = api();
    wecom.fail(Fault.EXPIRED_TOKEN, Fault.EXPIRED_TOKEN, Fault.EXPIRED_TOKEN);
    assertThatThrownBy(() -> api.groupChat("chat-1"))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.errcode()).isEqualTo(42001));
  }

  @Test
  void shouldRenewATokenItsOwnClockSaysHasExpired() throws Exception {
    Instant[] now = {Instant.parse("2026-01-01T00:00:00Z")};
    Clock clock =
        new Clock() {
          @Override
          public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
          }

          @Override
          public Clock withZone(java.time.ZoneId zone) {
            return this;
          }

          @Override
          public Instant instant() {
            return now[0];
          }
        };
    WeComApi api = api(SECRET, Duration.ofSeconds(5), 4, clock);
    api.groupChat("chat-1");
    now[0] = now[0].plus(Duration.ofMinutes(114)); // 2 h less the 5 min margin, less 1 min
    api.groupChat("chat-1");
    assertThat(wecom.gettokenCalls()).isEqualTo(1);
    now[0] = now[0].plus(Duration.ofMinutes(2));
    api.groupChat("chat-1");
    assertThat(wecom.gettokenCalls()).isEqualTo(2);
  }

  @Test
  void shouldRetryBusyAndHttpErrorsWithGrowingBackoff() throws Exception {
    wecom.fail(Fault.BUSY, Fault.HTTP_500, Fault.BUSY);
    WeComApi api = api();
    assertThat(api.groupChat("chat-1").members()).hasSize(2);
    assertThat(sleeps).hasSize(3);
    // 100 ms, 200 ms, 300 ms (capped), each with jitter down to half.
    assertThat(sleeps.get(0)).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
    assertThat(sleeps.get(1)).isBetween(Duration.ofMillis(100), Duration.ofMillis(200));
    assertThat(sleeps.get(2)).isBetween(Duration.ofMillis(150), Duration.ofMillis(300));
  }

  @Test
  void shouldGiveUpAfterTheLastAttemptWithTheLastError() {
    wecom.fail(Fault.BUSY, Fault.BUSY, Fault.BUSY, Fault.BUSY, Fault.BUSY);
    WeComApi api = api(SECRET, Duration.ofSeconds(5), 3, Clock.systemUTC());
    assertThatThrownBy(() -> api.groupChat("chat-1"))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.errcode()).isEqualTo(-1));
    assertThat(sleeps).hasSize(2);
  }

  @Test
  void shouldTreatATimeoutAsATransportFailureAndRetryIt() throws Exception {
    wecom.slowDelay(Duration.ofSeconds(5)).fail(Fault.SLOW);
    // 1 s: far below the slow answer, far above a normal one even on a loaded machine.
    WeComApi api = api(SECRET, Duration.ofSeconds(1), 4, Clock.systemUTC());
    // The first call, gettoken, meets the slow answer and times out; a retry succeeds.
    assertThat(api.groupChat("chat-1").members()).hasSize(2);
    assertThat(sleeps).isNotEmpty();
    assertThat(metrics.get("upbot_wecom_api_calls_total{api=\"http\",result=\"transport_error\"}"))
        .isPositive();
  }

  @Test
  void shouldNotRetryAFinalErrcode() {
    WeComApi api = api();
    assertThatThrownBy(() -> api.groupChat("no-such-chat"))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.errcode()).isEqualTo(40050));
    assertThat(sleeps).isEmpty();
  }

  @Test
  void shouldReportAWrongSecretWithoutRetryingOrLoggingIt() {
    WeComApi api = api("wrong", Duration.ofSeconds(5), 4, Clock.systemUTC());
    assertThatThrownBy(() -> api.groupChat("chat-1"))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.errcode()).isEqualTo(40001);
              assertThat(e.getMessage()).doesNotContain("wrong");
            });
    assertThat(sleeps).isEmpty();
    assertThat(wecom.groupchatGetCalls()).isZero();
  }
}
