// Every op of the library, enumerated at run time through its name function (OpNames.Name, which
// is mt_map_name(i) for i = 0, 1, ... until null; mt_zip_name, mt_reduce_name), has its enum
// member (the name in PascalCase) and its Tensor method or operator computing that op.
using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Minitensor;

static class OpParityTests {
  // Methods named otherwise than their op, by "kind op": other names, and the operators.
  static readonly Dictionary<string, string> Methods = new Dictionary<string, string> {
    { "map inv", "Reciprocal" },        { "map neg", "op_UnaryNegation" },
    { "zip add", "op_Addition" },       { "zip sub", "op_Subtraction" },
    { "zip mul", "op_Multiply" },       { "zip div", "op_Division" },
    { "zip max", "Maximum" },           { "zip min", "Minimum" },
  };

  // Ops without a method of their own, and what the API has instead.
  static readonly Dictionary<string, string> NoMethod = new Dictionary<string, string> {
    { "map id", "Clone()" }, { "zip binary_cross_entropy", "Loss.BinaryCrossEntropy" },
  };

  // The library's op names, in code order.
  static List<string> COps(Func<int, string> name) {
    var names = new List<string>();
    for (string next; (next = name(names.Count)) != null;) names.Add(next);
    Check.True(names.Count > 1, "the name function named " + string.Join(" ", names));
    return names;
  }

  static string PascalCase(string name) {
    return string.Concat(name.Split('_').Select(w => char.ToUpperInvariant(w[0]) + w.Substring(1)));
  }

  // The enum's members are the library's ops, in code order.
  static void CheckEnum(Type type, List<string> ops) {
    IEnumerable<string> members =
        Enum.GetValues(type).Cast<int>().OrderBy(v => v).Select(v => Enum.GetName(type, v));
    Check.Equal(string.Join(" ", ops.Select(PascalCase)), string.Join(" ", members),
                type.Name + "'s members");
  }

  // Op `name`'s public method of Tensor (an instance method taking `operands` - 1 tensors, or a
  // static operator taking `operands`), or null where it has none, which `missing` records.
  static MethodInfo MethodOf(string kind, string name, int operands, List<string> missing) {
    if (NoMethod.ContainsKey(kind + " " + name)) return null;
    string method;
    if (!Methods.TryGetValue(kind + " " + name, out method)) method = PascalCase(name);
    bool isOperator = method.StartsWith("op_");
    Type[] parameters = Enumerable.Repeat(typeof(Tensor), isOperator ? operands : operands - 1)
                            .ToArray();
    MethodInfo found = typeof(Tensor).GetMethod(method, parameters);
    if (found == null || found.IsStatic != isOperator) {
      missing.Add(name + " (Tensor." + method + ")");
      return null;
    }
    return found;
  }

  static Tensor Call(MethodInfo method, Tensor a, params Tensor[] rest) {
    return (Tensor)(method.IsStatic ? method.Invoke(null, new[] { a }.Concat(rest).ToArray())
                                    : method.Invoke(a, rest));
  }

  // Each op's method against the op itself (bitwise, NaNs alike); `viaOp` computes op `code`.
  static void CheckMethods(string kind, List<string> ops, int operands,
                           Func<MethodInfo, Tensor> viaMethod, Func<int, Tensor> viaOp) {
    var missing = new List<string>();
    var wrong = new List<string>();
    for (int code = 0; code < ops.Count; ++code) {
      MethodInfo method = MethodOf(kind, ops[code], operands, missing);
      if (method == null) continue;
      using (Tensor got = viaMethod(method))
      using (Tensor expected = viaOp(code)) {
        if (!got.ToDoubleArray().SequenceEqual(expected.ToDoubleArray())) wrong.Add(ops[code]);
      }
    }
    Check.Equal("", string.Join(" ", missing), kind + " ops without their method");
    Check.Equal("", string.Join(" ", wrong), kind + " methods computing another op");
  }

  static Tensor X() {
    return Tensor.FromArray(new double[] { 0.5, -1.25, 2, 3, -0.75, 0.25 }, 2, 3);
  }

  [Test]
  public static void MapOps() {
    List<string> ops = COps(code => ((MapOp)code).Name());
    CheckEnum(typeof(MapOp), ops);
    using (Tensor x = X())
      CheckMethods("map", ops, 1, method => Call(method, x), code => x.Map((MapOp)code));
  }

  [Test]
  public static void ZipOps() {
    List<string> ops = COps(code => ((ZipOp)code).Name());
    CheckEnum(typeof(ZipOp), ops);
    using (Tensor x = X())
    using (Tensor y = Tensor.FromArray(new double[] { 1.5, -1.25, 0.5 }))
      CheckMethods("zip", ops, 2, method => Call(method, x, y),
                   code => Tensor.Zip((ZipOp)code, x, y));
  }

  [Test]
  public static void ReduceOps() {
    List<string> ops = COps(code => ((ReduceOp)code).Name());
    CheckEnum(typeof(ReduceOp), ops);
    using (Tensor x = X())
      CheckMethods("reduce", ops, 1, method => Call(method, x), code => x.Reduce((ReduceOp)code));
  }
}
