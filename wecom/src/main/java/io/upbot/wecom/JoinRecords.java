package io.upbot.wecom;

import io.upbot.schema.MediaEvent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns one {@code add_member} change and its group's members into join records
 * (docs/wecom.md#join-records): one {@code 1110205} record, {@code source} {@code wecom}, per
 * external member of the change whose join way's {@code state} names a live code.
 *
 * <p>Which members: those in MemChangeList; when WeCom sent no list, those whose join_time is
 * within {@link #NO_LIST_WINDOW_SECONDS} of the change's CreateTime. Which code: the state itself,
 * or the state's entry in the configured map when one is given (then an unmapped state makes no
 * record).
 */
public final class JoinRecords {

  /** The join-group event id of docs/api.md's catalogue. */
  public static final String JOIN_EVENT_ID = "1110205";

  /** media_type 2: a WeCom group. */
  public static final int MEDIA_TYPE_WECOM_GROUP = 2;

  /** Prefix of the openid of a join record: WeCom gives an external userid, not an openid. */
  public static final String OPENID_PREFIX = "wecom:";

  /** Without a MemChangeList, members who joined this close to CreateTime are the change's. */
  static final long NO_LIST_WINDOW_SECONDS = 60;

  private final String appid;
  private final Map<String, String> stateToCode;
  private final WeComMetrics metrics;

  /**
   * @param stateToCode the configured map, or null: the state is the code
   */
  public JoinRecords(String appid, Map<String, String> stateToCode, WeComMetrics metrics) {
    this.appid = appid;
    this.stateToCode = stateToCode == null ? null : Map.copyOf(stateToCode);
    this.metrics = metrics;
  }

  /**
   * The records of one change, and the userids of MemChangeList that the group does not list (yet:
   * WeCom updates group details asynchronously, so a lookup right after the event may miss them).
   */
  public record Result(List<MediaEvent> records, List<String> missing) {
    public Result {
      records = List.copyOf(records);
      missing = List.copyOf(missing);
    }
  }

  /** The join records of one change, stamped {@code receivedAt} (epoch ms). */
  public Result of(PendingCallback c, WeComApi.GroupChat group, long receivedAt) {
    Set<String> changed = new HashSet<>(c.userids());
    Set<String> listed = new HashSet<>();
    List<MediaEvent> out = new ArrayList<>();
    for (WeComApi.Member m : group.members()) {
      boolean inChange =
          changed.isEmpty()
              ? Math.abs(m.joinTime() - c.createTime()) <= NO_LIST_WINDOW_SECONDS
              : changed.contains(m.userid());
      if (!inChange) {
        continue;
      }
      listed.add(m.userid());
      if (m.type() != 2) {
        metrics.memberSkipped("internal_member");
        continue;
      }
      if (m.state() == null) {
        metrics.memberSkipped("no_state");
        continue;
      }
      String code = stateToCode == null ? m.state() : stateToCode.get(m.state());
      if (code == null) {
        metrics.memberSkipped("unmapped_state");
        continue;
      }
      if (m.joinTime() <= 0 || m.userid().isEmpty()) {
        metrics.memberSkipped("no_join_time");
        continue;
      }
      if (m.unionid() == null) {
        // Still a join for the code's count, but no journey can be matched to it by unionid.
        metrics.joinWithoutUnionid();
      }
      out.add(
          new MediaEvent(
              MediaEvent.VERSION,
              appid,
              OPENID_PREFIX + m.userid(),
              2,
              null,
              null,
              JOIN_EVENT_ID,
              m.joinTime() * 1000,
              receivedAt,
              MEDIA_TYPE_WECOM_GROUP,
              code,
              null,
              null,
              m.unionid(),
              MediaEvent.SOURCE_WECOM));
    }
    List<String> missing = new ArrayList<>();
    for (String u : c.userids()) {
      if (!listed.contains(u)) {
        missing.add(u);
      }
    }
    return new Result(out, missing);
  }
}
