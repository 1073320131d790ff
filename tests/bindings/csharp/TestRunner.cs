// MinitensorTests.exe: runs every method marked [Test] in this assembly (or those whose
// "Class.Method" name contains one of the arguments), prints a line per test and exits with 1
// when any fails or none matched.
using System;
using System.Diagnostics;
using System.Linq;
using System.Reflection;

[AttributeUsage(AttributeTargets.Method)]
sealed class TestAttribute : Attribute {}

static class TestRunner {
  static int Main(string[] filters) {
    var tests = typeof(TestRunner).Assembly.GetTypes()
        .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.Static))
        .Where(method => method.IsDefined(typeof(TestAttribute), false))
        .Where(method => filters.Length == 0 || filters.Any(f => NameOf(method).Contains(f)))
        .OrderBy(NameOf, StringComparer.Ordinal)
        .ToList();
    if (tests.Count == 0) {
      Console.Error.WriteLine("no test matches " + string.Join(" ", filters));
      return 1;
    }
    int failed = 0;
    foreach (MethodInfo test in tests) {
      Stopwatch clock = Stopwatch.StartNew();
      try {
        test.Invoke(null, null);
        Console.WriteLine("ok    {0} ({1} ms)", NameOf(test), clock.ElapsedMilliseconds);
      } catch (TargetInvocationException e) {
        ++failed;
        Console.WriteLine("FAIL  {0}: {1}", NameOf(test), e.InnerException);
      }
    }
    Console.WriteLine("{0} tests, {1} failed", tests.Count, failed);
    return failed == 0 ? 0 : 1;
  }

  static string NameOf(MethodInfo method) {
    return method.DeclaringType.Name + "." + method.Name;
  }
}
