package io.upbot.local.bench;

import io.upbot.job.model.FunnelStages;
import io.upbot.job.model.JourneyEvent;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;

/**
 * The funnel rows as a data engineer would write them in Flink SQL instead of the job: SESSION
 * windows of gap G per journey over the events' time {@code t}, each session's depth from the
 * presence and order of its stage events, then sessions per appid, code and hour of the session's
 * start. The benchmark's yardstick for the job's own sessionizer and aggregators.
 *
 * <p>Simpler than docs/semantics.md on purpose (what the SQL would say, not what the job must do):
 * no deduplication (a copy does not change a session's depth), depth 3 needs a join at or after the
 * first long-press rather than after the first long-press at or after the exposure, and events
 * behind the watermark are dropped by the windows rather than merged into a session.
 */
final class SqlFunnelQuery {

  private SqlFunnelQuery() {}

  /**
   * The events' columns; {@code rowtime} (the record timestamp, {@code t}) is added as metadata.
   */
  static final String[] COLUMNS = {"appid", "code", "trace", "event_id", "t"};

  /**
   * Registers {@code events} as the view {@code events} and returns the funnel rows: {@code appid,
   * code, bucket_start, sessions, exposed, long_pressed, joined}, an updating table.
   */
  static Table funnelRows(
      StreamTableEnvironment tables,
      DataStream<JourneyEvent> events,
      FunnelStages stages,
      long gapMs) {
    TypeInformation<Row> rowType =
        Types.ROW_NAMED(
            COLUMNS, Types.STRING, Types.STRING, Types.STRING, Types.STRING, Types.LONG);
    DataStream<Row> rows =
        events
            .map(e -> Row.of(e.appid(), e.code(), e.trace(), e.eventId(), e.t()), rowType)
            .name("events as rows")
            .uid("sql-events-as-rows");
    tables.createTemporaryView(
        "events",
        tables.fromDataStream(
            rows,
            Schema.newBuilder()
                .columnByMetadata("rowtime", "TIMESTAMP_LTZ(3)")
                .watermark("rowtime", "SOURCE_WATERMARK()")
                .build()));
    return tables.sqlQuery(query(stages, gapMs));
  }

  /** The query text. */
  static String query(FunnelStages stages, long gapMs) {
    String exposed = in(stages.exposed());
    String longPressed = in(stages.longPressed());
    String joined = in(stages.joined());
    return String.join(
        "\n",
        "SELECT appid, code, bucket_start,",
        "  COUNT(*) AS sessions,",
        "  SUM(CASE WHEN depth >= 1 THEN 1 ELSE 0 END) AS exposed,",
        "  SUM(CASE WHEN depth >= 2 THEN 1 ELSE 0 END) AS long_pressed,",
        "  SUM(CASE WHEN depth >= 3 THEN 1 ELSE 0 END) AS joined",
        "FROM (",
        "  SELECT appid, code, FLOOR(session_start TO HOUR) AS bucket_start,",
        "    CASE",
        "      WHEN first_exposed IS NULL THEN 0",
        "      WHEN last_long_press IS NULL OR last_long_press < first_exposed THEN 1",
        "      WHEN last_join IS NULL OR last_join < first_long_press",
        "        OR last_join < first_exposed THEN 2",
        "      ELSE 3",
        "    END AS depth",
        "  FROM (",
        "    SELECT appid, code, trace, window_start AS session_start,",
        "      MIN(CASE WHEN event_id IN " + exposed + " THEN t END) AS first_exposed,",
        "      MIN(CASE WHEN event_id IN " + longPressed + " THEN t END) AS first_long_press,",
        "      MAX(CASE WHEN event_id IN " + longPressed + " THEN t END) AS last_long_press,",
        "      MAX(CASE WHEN event_id IN " + joined + " THEN t END) AS last_join",
        "    FROM TABLE(SESSION(TABLE events PARTITION BY (appid, code, trace),",
        "      DESCRIPTOR(rowtime), INTERVAL '" + gapMs / 1000 + "' SECOND(9)))",
        "    GROUP BY appid, code, trace, window_start, window_end",
        "  )",
        ")",
        "GROUP BY appid, code, bucket_start");
  }

  private static String in(Set<String> ids) {
    return ids.stream()
        .sorted()
        .map(id -> "'" + id.replace("'", "''") + "'")
        .collect(Collectors.joining(", ", "(", ")"));
  }
}
