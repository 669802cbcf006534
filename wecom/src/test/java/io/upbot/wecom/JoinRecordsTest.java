package io.upbot.wecom;

import static org.assertj.core.api.Assertions.assertThat;

import io.upbot.schema.MediaEvent;
import io.upbot.schema.MediaEventCodec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JoinRecordsTest {

  static final long CREATE = 1_699_274_761L;

  static PendingCallback change(String... userids) {
    return new PendingCallback(
        "k", "corp", "chat-1", CREATE, 3, userids.length, List.of(userids), "v1", 1L);
  }

  static WeComApi.Member external(String userid, String unionid, String state, long joinTime) {
    return new WeComApi.Member(userid, 2, unionid, state, joinTime, 3);
  }

  final WeComMetrics metrics = new WeComMetrics();
  final JoinRecords byState = new JoinRecords("wx-app-1", null, metrics);

  @Test
  void shouldWriteOneJoinRecordPerChangedExternalMemberWithTheStateAsCode() {
    WeComApi.GroupChat g =
        new WeComApi.GroupChat(
            "chat-1",
            List.of(
                external("wm-old", "u-old", "CODE0", CREATE - 86_400),
                external(
                    "wmOgQhDgAAuXFJGwbve4g4iXknfOAAAA",
                    "ozynqsulJFCZ2z1aYeS8h-nuasdAAA",
                    "IsFXtWUZ3x3hywGl",
                    1_699_274_760L)));
    JoinRecords.Result r =
        byState.of(change("wmOgQhDgAAuXFJGwbve4g4iXknfOAAAA"), g, 1_699_274_761_000L);
    assertThat(r.missing()).isEmpty();
    assertThat(r.records()).hasSize(1);
    // Exactly the documented record (docs/stream.md), the golden fixture.
    assertThat(MediaEventCodec.encodeToString(r.records().get(0)))
        .isEqualTo(
            "{\"v\":1,\"appid\":\"wx-app-1\",\"openid\":\"wecom:wmOgQhDgAAuXFJGwbve4g4iXknfOAAAA\","
                + "\"account_type\":2,\"device_type\":null,\"uuid\":null,\"event_id\":\"1110205\","
                + "\"event_time\":1699274760000,\"received_at\":1699274761000,\"media_type\":2,"
                + "\"code\":\"IsFXtWUZ3x3hywGl\",\"trace_id\":null,\"duration\":null,"
                + "\"unionid\":\"ozynqsulJFCZ2z1aYeS8h-nuasdAAA\",\"source\":\"wecom\"}");
  }

  @Test
  void shouldSkipStaffMembersWithoutStateAndUnmappedStates() {
    JoinRecords mapped = new JoinRecords("wx-app-1", Map.of("s1", "CODE-ONE"), metrics);
    WeComApi.GroupChat g =
        new WeComApi.GroupChat(
            "chat-1",
            List.of(
                new WeComApi.Member("staff", 1, null, null, CREATE, 1),
                external("wm-nostate", "u1", null, CREATE),
                external("wm-unmapped", "u2", "s2", CREATE),
                external("wm-mapped", "u3", "s1", CREATE)));
    JoinRecords.Result r =
        mapped.of(change("staff", "wm-nostate", "wm-unmapped", "wm-mapped"), g, 5L);
    assertThat(r.records()).extracting(MediaEvent::code).containsExactly("CODE-ONE");
    assertThat(r.records()).extracting(MediaEvent::unionid).containsExactly("u3");
    assertThat(metrics.get("upbot_wecom_members_skipped_total{reason=\"internal_member\"}"))
        .isEqualTo(1);
    assertThat(metrics.get("upbot_wecom_members_skipped_total{reason=\"no_state\"}")).isEqualTo(1);
    assertThat(metrics.get("upbot_wecom_members_skipped_total{reason=\"unmapped_state\"}"))
        .isEqualTo(1);
  }

  @Test
  void shouldWriteAJoinWithoutUnionidAndCountIt() {
    WeComApi.GroupChat g =
        new WeComApi.GroupChat("chat-1", List.of(external("wm-1", null, "C", CREATE)));
    JoinRecords.Result r = byState.of(change("wm-1"), g, 5L);
    assertThat(r.records()).singleElement().satisfies(e -> assertThat(e.unionid()).isNull());
    assertThat(metrics.get("upbot_wecom_join_records_without_unionid_total")).isEqualTo(1);
  }

  @Test
  void shouldReportChangedMembersTheGroupDoesNotListYet() {
    WeComApi.GroupChat g =
        new WeComApi.GroupChat("chat-1", List.of(external("wm-1", "u1", "C", CREATE)));
    JoinRecords.Result r = byState.of(change("wm-1", "wm-2"), g, 5L);
    assertThat(r.records()).hasSize(1);
    assertThat(r.missing()).containsExactly("wm-2");
  }

  @Test
  void shouldTakeMembersWhoJoinedAroundCreateTimeWhenWeComSentNoList() {
    WeComApi.GroupChat g =
        new WeComApi.GroupChat(
            "chat-1",
            List.of(
                external("wm-near", "u1", "C", CREATE - 30),
                external("wm-far", "u2", "C", CREATE - 3600)));
    JoinRecords.Result r = byState.of(change(), g, 5L);
    assertThat(r.records()).extracting(MediaEvent::openid).containsExactly("wecom:wm-near");
    assertThat(r.missing()).isEmpty();
  }
}
