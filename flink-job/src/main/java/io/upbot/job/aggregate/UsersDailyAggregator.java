package io.upbot.job.aggregate;

import io.upbot.job.model.DayBuckets;
import io.upbot.job.model.DayRowKey;
import io.upbot.job.model.SessionDelta;
import io.upbot.job.model.UsersDailyRow;
import io.upbot.job.model.serial.StateTypes;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * Keeps one {@code code_users_daily} row exactly: per openid, how many of its sessions starting
 * that day (in the job's time zone) reach each depth, corrected by the sessions' −1/+1 deltas; the
 * row counts the openids whose count is above zero, for each depth. Exact, never a sketch: a merge
 * or a moved start takes a user away as surely as it adds one.
 *
 * <p>Retention: the row can change while a session starting on its day is live or an on-time event
 * can still start one there (the watermark is before the end of the day's last hour + A). When both
 * are over, its state, the per-openid counts included, is dropped after a last flush.
 */
public final class UsersDailyAggregator
    extends LiveRowAggregator<DayRowKey, SessionDelta, UsersDailyAggregator.Acc, UsersDailyRow> {
  private static final long serialVersionUID = 1L;

  /**
   * The row's totals.
   *
   * @param live sessions starting on the day that can still change
   * @param dirty changed since the last write
   * @param retentionPassed the watermark passed the day's retention end while sessions were live
   */
  public record Acc(
      long users,
      long exposedUsers,
      long longPressedUsers,
      long joinedUsers,
      long live,
      boolean dirty,
      boolean retentionPassed)
      implements DepthCounts<Acc> {
    @Override
    public Acc plus(
        long d0, long d1, long d2, long d3, long liveChange, boolean newDirty, boolean newPassed) {
      return new Acc(
          users + d0,
          exposedUsers + d1,
          longPressedUsers + d2,
          joinedUsers + d3,
          live + liveChange,
          newDirty,
          newPassed);
    }
  }

  /**
   * One user's sessions starting on the day: how many there are, and how many of depth ≥ 1, ≥ 2, 3.
   */
  public record UserSessions(int sessions, int exposed, int longPressed, int joined) {

    static final UserSessions NONE = new UserSessions(0, 0, 0, 0);

    int atLeast(int depth) {
      return switch (depth) {
        case 0 -> sessions;
        case 1 -> exposed;
        case 2 -> longPressed;
        default -> joined;
      };
    }

    UserSessions plus(int depth, int n) {
      return new UserSessions(
          sessions + n,
          exposed + (depth >= 1 ? n : 0),
          longPressed + (depth >= 2 ? n : 0),
          joined + (depth >= 3 ? n : 0));
    }
  }

  private final DayBuckets days;
  private transient MapState<String, UserSessions> byOpenid;

  public UsersDailyAggregator(RowTiming timing, DayBuckets days) {
    super("users-daily-row", new Acc(0, 0, 0, 0, 0, false, false), timing);
    this.days = days;
  }

  @Override
  public void open(OpenContext openContext) throws Exception {
    super.open(openContext);
    byOpenid =
        mapState("users-daily-openids", StateTypes.STRING, TypeInformation.of(UserSessions.class));
  }

  @Override
  protected Acc apply(Acc acc, SessionDelta d) throws Exception {
    if (d.sessions() == 0) {
      return acc.add(0, 0, 0, 0, d.live());
    }
    UserSessions before = byOpenid.get(d.openid());
    if (before == null) {
      before = UserSessions.NONE;
    }
    UserSessions after = before.plus(d.depth(), d.sessions());
    if (after.sessions() == 0) {
      byOpenid.remove(d.openid());
    } else {
      byOpenid.put(d.openid(), after);
    }
    // A user counts at a depth while at least one of its sessions reaches it.
    long[] change = new long[4];
    for (int k = 0; k <= 3; k++) {
      change[k] = Boolean.compare(after.atLeast(k) > 0, before.atLeast(k) > 0);
    }
    return acc.add(change[0], change[1], change[2], change[3], d.live());
  }

  @Override
  protected UsersDailyRow row(DayRowKey k, Acc a, long nowMs) {
    return new UsersDailyRow(
        k.day(),
        k.appid(),
        k.code(),
        a.users(),
        a.exposedUsers(),
        a.longPressedUsers(),
        a.joinedUsers(),
        nowMs);
  }

  /** The end of the day's last hour + A: from then on no on-time event starts a session there. */
  @Override
  protected long retentionEnd(DayRowKey key) {
    return days.bucketsEnd(key.day()) + timing().allowedLatenessMs();
  }

  @Override
  protected void clearExtraState() {
    byOpenid.clear();
  }
}
