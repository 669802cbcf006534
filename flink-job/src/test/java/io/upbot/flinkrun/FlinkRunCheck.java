package io.upbot.flinkrun;

import java.io.File;
import java.util.Arrays;
import org.apache.flink.client.program.PackagedProgram;
import org.apache.flink.client.program.PackagedProgramUtils;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.jobgraph.JobGraph;

/**
 * What {@code flink run} does with a jar before it submits: load the entry point in a child-first
 * user-code class loader and build the job graph. Run in its own JVM whose class path holds Flink
 * only, as on a cluster. Prints {@code vertices=<n>}.
 */
public final class FlinkRunCheck {

  private FlinkRunCheck() {}

  public static void main(String[] args) throws Exception {
    PackagedProgram program =
        PackagedProgram.newBuilder()
            .setJarFile(new File(args[0]))
            .setArguments(Arrays.copyOfRange(args, 1, args.length))
            .build();
    try {
      JobGraph graph = PackagedProgramUtils.createJobGraph(program, new Configuration(), 2, false);
      System.out.println("main=" + program.getMainClassName());
      System.out.println("vertices=" + graph.getNumberOfVertices());
      System.out.println("checkpointing=" + (graph.getCheckpointingSettings() != null));
    } finally {
      program.close();
    }
  }
}
