package io.upbot.job.model.serial;

import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * A type given to the job's edges or states explicitly, with the job's own serializer: one class,
 * no fields for Flink to see.
 *
 * @param <T> the class
 */
abstract class ClassTypeInfo<T> extends TypeInformation<T> {
  private static final long serialVersionUID = 1L;

  private final Class<T> type;

  ClassTypeInfo(Class<T> type) {
    this.type = type;
  }

  @Override
  public final boolean isBasicType() {
    return false;
  }

  @Override
  public final boolean isTupleType() {
    return false;
  }

  @Override
  public final int getArity() {
    return 1;
  }

  @Override
  public final int getTotalFields() {
    return 1;
  }

  @Override
  public final Class<T> getTypeClass() {
    return type;
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "<" + type.getSimpleName() + ">";
  }

  @Override
  public boolean equals(Object o) {
    return o != null && o.getClass() == getClass() && ((ClassTypeInfo<?>) o).type.equals(type);
  }

  @Override
  public int hashCode() {
    return Objects.hash(getClass(), type);
  }

  @Override
  public boolean canEqual(Object o) {
    return o != null && o.getClass() == getClass();
  }
}
