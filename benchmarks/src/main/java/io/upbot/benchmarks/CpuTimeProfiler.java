package io.upbot.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * A JMH profiler ({@code -prof io.upbot.benchmarks.CpuTimeProfiler}) that reports the benchmark
 * JVM's CPU time per operation, all its threads (JIT and GC included) over each iteration.
 *
 * <p>On a shared machine the wall-clock score measures the queue for a core as much as the code;
 * CPU time does not, so it is the figure to compare across runs there. It includes what runs
 * outside the measured method during the iteration (a {@code Level.Invocation} setup), so it is an
 * upper bound for benchmarks that have one.
 */
public final class CpuTimeProfiler implements InternalProfiler {

  private final com.sun.management.OperatingSystemMXBean os;
  private long cpuAtStart;

  public CpuTimeProfiler() {
    OperatingSystemMXBean bean = ManagementFactory.getOperatingSystemMXBean();
    if (!(bean instanceof com.sun.management.OperatingSystemMXBean sun)) {
      throw new IllegalStateException("this JVM does not report its process CPU time");
    }
    this.os = sun;
  }

  @Override
  public String getDescription() {
    return "CPU time of the benchmark JVM per operation (all threads)";
  }

  @Override
  public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
    cpuAtStart = os.getProcessCpuTime();
  }

  @Override
  public Collection<? extends Result> afterIteration(
      BenchmarkParams benchmarkParams, IterationParams iterationParams, IterationResult result) {
    long cpu = os.getProcessCpuTime() - cpuAtStart;
    // allOps: every operation of the iteration, the ones outside the synchronised window too, as
    // the CPU time covers them all; already multiplied by @OperationsPerInvocation.
    long ops = result.getMetadata().getAllOps();
    double perOp = ops == 0 ? Double.NaN : (double) cpu / ops;
    return List.of(new ScalarResult("cpu.time/op", perOp, "ns/op", AggregationPolicy.AVG));
  }
}
