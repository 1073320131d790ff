import org.minitensor.*;

public class Consumer {
  public static void main(String[] args) {
    try (Tensor a = Tensor.ones(DType.FLOAT32, 2, 3);         // 2x3 of ones
         Tensor b = Tensor.arange(0, 3, 1, DType.FLOAT32);    // [0, 1, 2]
         Tensor c = a.add(b);                                 // broadcasts to 2x3
         Tensor s = c.sum()) {                                // sum of every element
      System.out.println(c + "\nsum " + s.item());            // 12.0
    }
  }
}
