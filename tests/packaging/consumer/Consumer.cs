using Minitensor;

public static class Consumer {
  public static void Main() {
    using (Tensor a = Tensor.Ones(2, 3))            // 2x3 of ones
    using (Tensor b = Tensor.Arange(0, 3))          // [0, 1, 2]
    using (Tensor c = a + b)                        // broadcasts to 2x3
    using (Tensor s = c.Sum())
      System.Console.WriteLine(s.Item());           // 12
  }
}
