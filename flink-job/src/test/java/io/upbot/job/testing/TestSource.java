package io.upbot.job.testing;

import io.upbot.job.model.DecodedRecord;
import io.upbot.job.source.RecordDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;

/**
 * A bounded source of raw records in "partitions", decoded in the source by the job's own {@link
 * RecordDecoder} as the Kafka deserializer does. Run with parallelism equal to the number of
 * partitions, each reader gets one contiguous range, so each partition keeps its order, as in
 * Kafka. Shorter partitions are padded with malformed filler records (see {@link #padding}).
 */
public final class TestSource {

  public static final byte[] FILLER = "filler".getBytes(StandardCharsets.UTF_8);

  private final List<byte[]> flat = new ArrayList<>();
  private final int padding;

  public TestSource(List<List<byte[]>> partitions) {
    int longest = partitions.stream().mapToInt(List::size).max().orElse(0);
    int pad = 0;
    for (List<byte[]> p : partitions) {
      flat.addAll(p);
      for (int i = p.size(); i < longest; i++) {
        flat.add(FILLER);
        pad++;
      }
    }
    this.padding = pad;
  }

  /** Filler records added (each becomes a {@code malformed} dead letter). */
  public int padding() {
    return padding;
  }

  public DataGeneratorSource<DecodedRecord> source(long allowedLatenessMs) {
    return new DataGeneratorSource<>(
        new Decoding(new ArrayList<>(flat), new RecordDecoder(allowedLatenessMs)),
        flat.size(),
        TypeInformation.of(DecodedRecord.class));
  }

  private static final class Decoding implements GeneratorFunction<Long, DecodedRecord> {
    private static final long serialVersionUID = 1L;
    private final ArrayList<byte[]> records;
    private final RecordDecoder decoder;

    Decoding(ArrayList<byte[]> records, RecordDecoder decoder) {
      this.records = records;
      this.decoder = decoder;
    }

    @Override
    public DecodedRecord map(Long index) {
      int i = index.intValue();
      return decoder.decode(records.get(i), "test/" + i, System.currentTimeMillis());
    }
  }
}
