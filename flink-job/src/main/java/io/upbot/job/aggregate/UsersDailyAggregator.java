package io.upbot.job.aggregate;

import io.upbot.job.model.DayBuckets;
import io.upbot.job.model.DayRowKey;
import io.upbot.job.model.SessionDelta;
import io.upbot.job.model.UsersDailyRow;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

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
    extends RowAggregator<DayRowKey, SessionDelta, UsersDailyAggregator.Acc, UsersDailyRow> {
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
      implements RowAggregator.Accumulator<Acc> {
    @Override
    public Acc written() {
      return new Acc(
          users, exposedUsers, longPressedUsers, joinedUsers, live, false, retentionPassed);
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
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>(
                    "users-daily-openids", Types.STRING, TypeInformation.of(UserSessions.class)));
  }

  @Override
  protected Acc apply(Acc acc, SessionDelta d) throws Exception {
    if (d.sessions() == 0) {
      return new Acc(
          acc.users(),
          acc.exposedUsers(),
          acc.longPressedUsers(),
          acc.joinedUsers(),
          acc.live() + d.live(),
          acc.dirty(),
          acc.retentionPassed());
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
    boolean changed = change[0] != 0 || change[1] != 0 || change[2] != 0 || change[3] != 0;
    return new Acc(
        acc.users() + change[0],
        acc.exposedUsers() + change[1],
        acc.longPressedUsers() + change[2],
        acc.joinedUsers() + change[3],
        acc.live() + d.live(),
        acc.dirty() || changed,
        acc.retentionPassed());
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

  /** Not while a session starting on the day is live: that session can still change it. */
  @Override
  protected boolean mayDrop(Acc acc) {
    return acc.live() <= 0;
  }

  @Override
  protected Acc pastRetention(Acc a) {
    return new Acc(
        a.users(),
        a.exposedUsers(),
        a.longPressedUsers(),
        a.joinedUsers(),
        a.live(),
        a.dirty(),
        true);
  }

  @Override
  protected boolean isPastRetention(Acc acc) {
    return acc.retentionPassed();
  }

  @Override
  protected void clearExtraState() {
    byOpenid.clear();
  }
}
