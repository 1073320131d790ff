// Assertions: each throws CheckFailed with the expected and actual values.
using System;
using System.Linq;
using Minitensor;

sealed class CheckFailed : Exception {
  public CheckFailed(string message) : base(message) {}
}

static class Check {
  public static void True(bool condition, string what) {
    if (!condition) throw new CheckFailed(what);
  }

  public static void Equal<T>(T expected, T actual, string what) {
    if (!Equals(expected, actual))
      throw new CheckFailed(what + ": expected " + expected + ", got " + actual);
  }

  public static void Equal(long[] expected, long[] actual, string what) {
    if (!expected.SequenceEqual(actual))
      throw new CheckFailed(what + ": expected " + Text(expected) + ", got " + Text(actual));
  }

  // |expected - actual| <= tolerance * max(1, |expected|).
  public static void Close(double expected, double actual, double tolerance, string what) {
    if (!(Math.Abs(expected - actual) <= tolerance * Math.Max(1, Math.Abs(expected))))
      throw new CheckFailed(what + ": expected " + expected.ToString("G17") + ", got " +
                            actual.ToString("G17") + " (tolerance " + tolerance + ")");
  }

  public static void Close(double[] expected, double[] actual, double tolerance, string what) {
    Equal(expected.Length, actual.Length, what + " (length)");
    for (int i = 0; i < expected.Length; ++i)
      Close(expected[i], actual[i], tolerance, what + "[" + i + "]");
  }

  // The tensor's shape and its elements (row-major) against expectations.
  public static void Tensor(long[] shape, double[] values, Tensor actual, double tolerance,
                            string what) {
    Equal(shape, actual.Shape, what + " (shape)");
    Close(values, actual.ToDoubleArray(), tolerance, what);
  }

  // Runs `action`, which must throw a TException; returns it.
  public static TException Throws<TException>(Action action, string what)
      where TException : Exception {
    try {
      action();
    } catch (TException e) {
      return e;
    } catch (Exception e) {
      throw new CheckFailed(what + ": expected " + typeof(TException).Name + ", got " + e);
    }
    throw new CheckFailed(what + ": expected " + typeof(TException).Name + ", nothing thrown");
  }

  // `action` must throw a MinitensorException with `status` whose message contains every
  // one of `parts` (the C library's message: function name, problem, values).
  public static MinitensorException Fails(Status status, Action action, params string[] parts) {
    string what = "expected " + status + " with \"" + string.Join("\", \"", parts) + "\"";
    MinitensorException e = Throws<MinitensorException>(action, what);
    Equal(status, e.Status, what + ": status of \"" + e.Message + "\"");
    foreach (string part in parts)
      True(e.Message.Contains(part), what + ": got \"" + e.Message + "\"");
    return e;
  }

  static string Text(long[] values) {
    return "(" + string.Join(", ", values) + ")";
  }
}
