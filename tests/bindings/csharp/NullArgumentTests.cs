// The whole public API, found by reflection: every public method, constructor, operator and
// property accessor of every public type of namespace Minitensor refuses a null reference
// argument with ArgumentNullException (ParamName the parameter, the message "Type.Member:
// parameter is null"; a constructor by its type alone), except the parameters in Nullable; a
// null array element names its index; a disposed object, as the receiver or an argument,
// throws ObjectDisposedException. Arguments come from a table (Values) by parameter type: a
// type missing there fails the test, so new API cannot dodge it.
using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Minitensor;

static class NullArgumentTests {
  // Parameters whose null means a default (documented at the member), "Type.Member: name".
  static readonly HashSet<string> Nullable = new HashSet<string> {
    "Tensor.Rand: generator", "Tensor.Randn: generator", "Linear: generator",
    "Mlp: generator",                     // the default generator
    "Tensor.Backward: grad",              // 1 for a one-element tensor
    "Tensor.Reduce: dims", "Tensor.ReduceInto: dims", "Tensor.Sum: dims", "Tensor.Prod: dims",
    "Tensor.Max: dims", "Tensor.Min: dims", "Tensor.Mean: dims",  // every dim
    "Device.Equals: other",               // null is unequal
    "PlanStats.Equals: obj",              // a struct's Equals: null is unequal
    "PlanCacheStats.Equals: obj",
    "MinitensorException: message",       // as for any Exception: the default message
  };

  // Instance members that need no native object, so are fine once it is disposed.
  static readonly HashSet<string> FineWhenDisposed = new HashSet<string> {
    "Tensor.Dispose", "Tensor.IsDisposed", "Generator.Dispose", "Linear.Dispose", "Mlp.Dispose",
    "Optimizer.Dispose", "Dataset.Dispose", "Dataset.X", "Dataset.Y", "Communicator.Dispose",
    "ShardedSampler.Dispose", "DataParallel.Dispose", "Plan.Dispose", "Plan.ToString",
    "Compiled.Dispose", "Compiled.PlanCount",
  };

  // C#'s names of the operators that the API defines.
  static readonly Dictionary<string, string> Operators = new Dictionary<string, string> {
    { "op_Addition", "+" }, { "op_Subtraction", "-" }, { "op_UnaryNegation", "-" },
    { "op_Multiply", "*" }, { "op_Division", "/" }, { "op_LessThan", "<" },
    { "op_GreaterThan", ">" }, { "op_LessThanOrEqual", "<=" },
    { "op_GreaterThanOrEqual", ">=" }, { "op_Equality", "==" }, { "op_Inequality", "!=" },
  };

  // Native objects the table made for the current call; disposed after it.
  static readonly List<IDisposable> Made = new List<IDisposable>();

  // A valid argument for each parameter type, and each receiver.
  static readonly Dictionary<Type, Func<object>> Values = new Dictionary<Type, Func<object>> {
    { typeof(bool), () => false }, { typeof(int), () => 0 }, { typeof(long), () => 1L },
    { typeof(ulong), () => 1UL }, { typeof(double), () => 1.0 },
    { typeof(long[]), () => new long[] { 2 } }, { typeof(float[]), () => new float[] { 1, 2 } },
    { typeof(double[]), () => new double[] { 1, 2 } },
    { typeof(Array), () => new double[] { 1, 2 } },
    { typeof(string), () => "cpu" }, { typeof(object), () => Device.Cpu },
    { typeof(Device), () => Device.Cpu }, { typeof(DeviceType), () => DeviceType.Cpu },
    { typeof(DType), () => DType.Float32 }, { typeof(MapOp), () => MapOp.Exp },
    { typeof(ZipOp), () => ZipOp.Add }, { typeof(ReduceOp), () => ReduceOp.Sum },
    { typeof(Reduction), () => Reduction.Mean }, { typeof(DatasetKind), () => DatasetKind.Xor },
    { typeof(DiagnosticsMode), () => DiagnosticsMode.Off },
    { typeof(OverlapMode), () => OverlapMode.On },
    { typeof(CudaMatmul), () => CudaMatmul.Kernel }, { typeof(Status), () => Status.Ok },
    { typeof(Tensor), () => Keep(Tensor.Ones(2)) },
    { typeof(Tensor[]), () => new[] { Parameter() } },
    { typeof(Generator), () => Keep(new Generator(1)) },
    { typeof(Capture), () => Keep(Capture.Begin()) },
    { typeof(Plan), () => Keep(APlan()) },
    { typeof(Compiled), () => Keep(Compiled.Of(Negate)) },
    { typeof(Func<Tensor[], Tensor[]>), () => (Func<Tensor[], Tensor[]>)Negate },
    { typeof(PlanStats), () => new PlanStats(1, 1, 0, 0, 0) },
    { typeof(PlanCacheStats), () => new PlanCacheStats(1, 64, 0, 1, "") },
    { typeof(Linear), () => Keep(new Linear(2, 2)) },
    { typeof(Mlp), () => Keep(new Mlp(new long[] { 2, 2 })) },
    { typeof(Optimizer), () => Keep(new Sgd(new[] { Parameter() }, 0.1)) },
    { typeof(Dataset), () => Keep(Dataset.Make(DatasetKind.Xor, 4, 1)) },
    // Without a launcher: a world of one.
    { typeof(Communicator), () => Keep(Communicator.FromEnvironment()) },
    { typeof(ShardedSampler),
      () => Keep(new ShardedSampler(4, 2, Keep(Communicator.FromEnvironment()))) },
    { typeof(DataParallel),
      () => Keep(new DataParallel(new[] { Parameter() }, Keep(Communicator.FromEnvironment()))) },
  };

  static T Keep<T>(T made) where T : IDisposable {
    Made.Add(made);
    return made;
  }

  // A plan of x + x over a float32 (2,) input, like the table's tensors.
  static Plan APlan() {
    using (var capture = Capture.Begin()) {
      Tensor x = capture.Input(new long[] { 2 });
      return capture.End(x + x);
    }
  }

  // A Compiled body: -x of its one input.
  static Tensor[] Negate(Tensor[] inputs) {
    return new[] { -inputs[0] };
  }

  static Tensor Parameter() {
    Tensor parameter = Keep(Tensor.Ones(2));
    parameter.RequiresGrad = true;
    return parameter;
  }

  // A parameter type without a value in the table fails here, also where no test below would
  // build its arguments (a member with value parameters only).
  [Test]
  public static void EveryParameterTypeHasAValue() {
    var missing = new SortedSet<string>(StringComparer.Ordinal);
    foreach (MethodBase member in PublicMembers()) {
      foreach (ParameterInfo parameter in member.GetParameters()) {
        if (!Values.ContainsKey(parameter.ParameterType))
          missing.Add(NameOf(member) + " takes a " + parameter.ParameterType);
      }
    }
    Check.True(missing.Count == 0, "add a valid value to the table: " + string.Join("; ", missing));
  }

  [Test]
  public static void NullArgumentsAreRefusedWithTheirNames() {
    var failures = new List<string>();
    int members = 0, checkedParameters = 0;
    foreach (MethodBase member in PublicMembers()) {
      ++members;
      ParameterInfo[] parameters = member.GetParameters();
      for (int i = 0; i < parameters.Length; ++i) {
        if (parameters[i].ParameterType.IsValueType) continue;
        ++checkedParameters;
        string key = NameOf(member) + ": " + parameters[i].Name;
        object[] arguments = Arguments(member);
        arguments[i] = null;
        Exception thrown = Call(member, arguments);
        if (Nullable.Contains(key)) {
          // Accepted: the call works, or the library judges the table's other values.
          if (thrown != null && !(thrown is MinitensorException))
            failures.Add(key + " (nullable): " + thrown);
        } else {
          ExpectNull(failures, key, thrown, parameters[i].Name, key + " is null");
        }
      }
    }
    Console.WriteLine("      null arguments: {0} public members, {1} reference parameters ({2} " +
                      "nullable)", members, checkedParameters, Nullable.Count);
    Check.True(failures.Count == 0, string.Join("\n", failures));
  }

  [Test]
  public static void NullElementsAreRefusedWithTheirIndex() {
    var failures = new List<string>();
    int arrays = 0;
    foreach (MethodBase member in PublicMembers()) {
      ParameterInfo[] parameters = member.GetParameters();
      for (int i = 0; i < parameters.Length; ++i) {
        Type element = parameters[i].ParameterType.GetElementType();
        if (element == null || element.IsValueType) continue;
        ++arrays;
        object[] arguments = Arguments(member);
        var values = (Array)arguments[i];
        var withNull = Array.CreateInstance(element, values.Length + 1);
        values.CopyTo(withNull, 0);
        arguments[i] = withNull;
        string key = NameOf(member) + ": " + parameters[i].Name;
        ExpectNull(failures, key, Call(member, arguments), parameters[i].Name,
                   key + "[" + values.Length + "] is null");
      }
    }
    Check.True(failures.Count == 0, string.Join("\n", failures));
    Check.Equal(7, arrays, "arrays of references (the parameters of Sgd, Adam, DataParallel; " +
                "Capture.End's outputs; the inputs of Plan.Run, Compiled.Run, Compiled.PlanFor)");
  }

  [Test]
  public static void DisposedObjectsAreRefused() {
    var failures = new List<string>();
    int receivers = 0, disposedArguments = 0;
    foreach (MethodBase member in PublicMembers()) {
      Type owner = member.DeclaringType;
      bool instance = !member.IsStatic && !member.IsConstructor;
      // The scopes (NoGrad, Capture) hold no native object.
      if (instance && typeof(IDisposable).IsAssignableFrom(owner) && owner != typeof(NoGrad) &&
          owner != typeof(Capture) && !FineWhenDisposed.Contains(NameOf(member))) {
        object receiver = ValueOf(member, owner);
        ((IDisposable)receiver).Dispose();
        ++receivers;
        ExpectDisposed(failures, NameOf(member) + " on a disposed " + owner.Name,
                       Call(member, receiver, Arguments(member)));
      }
      ParameterInfo[] parameters = member.GetParameters();
      for (int i = 0; i < parameters.Length; ++i) {
        Type type = parameters[i].ParameterType;
        bool array = type.IsArray;
        if (!typeof(IDisposable).IsAssignableFrom(array ? type.GetElementType() : type)) continue;
        object[] arguments = Arguments(member);
        // The object, or the first of an array of them.
        ((IDisposable)(array ? ((Array)arguments[i]).GetValue(0) : arguments[i])).Dispose();
        ++disposedArguments;
        ExpectDisposed(failures, NameOf(member) + ": disposed " + parameters[i].Name,
                       Call(member, arguments));
      }
    }
    Console.WriteLine("      disposed objects: {0} members on a disposed receiver, {1} disposed " +
                      "arguments", receivers, disposedArguments);
    Check.True(failures.Count == 0, string.Join("\n", failures));
  }

  // The reported case: a null shape was read as rank 0 (a scalar).
  [Test]
  public static void NullShapeIsNotAScalar() {
    var e = Check.Throws<ArgumentNullException>(() => Tensor.Zeros((long[])null), "null shape");
    Check.Equal("shape", e.ParamName, "ParamName");
    Check.True(e.Message.StartsWith("Tensor.Zeros: shape is null"), "message: " + e.Message);
  }

  static void ExpectNull(List<string> failures, string key, Exception thrown, string parameter,
                         string message) {
    var e = thrown as ArgumentNullException;
    if (e == null || e.ParamName != parameter || !e.Message.StartsWith(message))
      failures.Add(key + ": expected ArgumentNullException(\"" + parameter + "\", \"" + message +
                   "\"), got " + thrown);
  }

  static void ExpectDisposed(List<string> failures, string what, Exception thrown) {
    if (!(thrown is ObjectDisposedException) || !thrown.Message.Contains("used after Dispose()"))
      failures.Add(what + ": expected ObjectDisposedException, got " + thrown);
  }

  // Valid arguments for `member`, from the table.
  static object[] Arguments(MethodBase member) {
    return member.GetParameters().Select(p => ValueOf(member, p.ParameterType)).ToArray();
  }

  static object ValueOf(MethodBase member, Type type) {
    Func<object> value;
    if (!Values.TryGetValue(type, out value))
      throw new CheckFailed(NameOf(member) + " takes a " + type + ": add a valid value to the " +
                            "table");
    return value();
  }

  // What `member` threw (null for nothing); what it returned is disposed.
  static Exception Call(MethodBase member, object[] arguments) {
    object receiver = member.IsStatic || member.IsConstructor
        ? null : ValueOf(member, member.DeclaringType);
    return Call(member, receiver, arguments);
  }

  static Exception Call(MethodBase member, object receiver, object[] arguments) {
    try {
      var constructor = member as ConstructorInfo;
      DisposeLater(constructor != null ? constructor.Invoke(arguments)
                                       : member.Invoke(receiver, arguments));
      return null;
    } catch (TargetInvocationException e) {
      return e.InnerException;
    } finally {
      foreach (IDisposable made in Enumerable.Reverse(Made)) made.Dispose();
      Made.Clear();
    }
  }

  // Disposes `result` (a native object or an array of them) after the call; twice is harmless.
  static void DisposeLater(object result) {
    if (result is IDisposable disposable) {
      Made.Add(disposable);
    } else if (result is IEnumerable parts && !(result is string)) {
      foreach (object part in parts) DisposeLater(part);
    }
  }

  // The public members of the public types of namespace Minitensor, in a stable order.
  static List<MethodBase> PublicMembers() {
    const BindingFlags declared = BindingFlags.Public | BindingFlags.Static |
                                  BindingFlags.Instance | BindingFlags.DeclaredOnly;
    return typeof(Tensor).Assembly.GetTypes()
        .Where(type => type.IsVisible && type.Namespace == "Minitensor")
        .SelectMany(type => type.GetConstructors(declared).Cast<MethodBase>()
                                .Concat(type.GetMethods(declared)))
        .OrderBy(member => member.DeclaringType.Name + "." + member, StringComparer.Ordinal)
        .ToList();
  }

  // "Tensor.Zeros", "Mlp" (a constructor), "Tensor.operator +", "Runtime.Backend" (a property),
  // "Tensor.this[]" (the indexer): as the messages name them.
  static string NameOf(MethodBase member) {
    string type = member.DeclaringType.Name;
    if (member.IsConstructor) return type;
    if (!member.IsSpecialName) return type + "." + member.Name;
    string symbol;
    if (Operators.TryGetValue(member.Name, out symbol)) return type + ".operator " + symbol;
    PropertyInfo property = member.DeclaringType.GetProperties().FirstOrDefault(
        p => p.GetGetMethod() == member || p.GetSetMethod() == member);
    if (property == null) throw new CheckFailed("no name for the special member " + member);
    return type + "." + (property.GetIndexParameters().Length > 0 ? "this[]" : property.Name);
  }
}
