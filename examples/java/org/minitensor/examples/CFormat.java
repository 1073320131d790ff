package org.minitensor.examples;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/** Numbers printed as C's printf prints them (the C demo's output, digit for digit). */
final class CFormat {
  private CFormat() {}

  /** printf("%.{digits}f"): the exact binary value rounded half to even, as glibc. */
  static String fixed(double value, int digits) {
    String special = special(value);
    if (special != null) {
      return special;
    }
    return new BigDecimal(value).setScale(digits, RoundingMode.HALF_EVEN).toPlainString();
  }

  /** printf("%{width}.{digits}f"). */
  static String fixed(double value, int digits, int width) {
    String text = fixed(value, digits);
    return " ".repeat(Math.max(0, width - text.length())) + text;
  }

  /** printf("%g"): 6 significant digits, trailing zeros dropped, exponent form outside
   * [1e-4, 1e6). */
  static String general(double value) {
    String special = special(value);
    if (special != null) {
      return special;
    }
    if (value == 0) {
      return 1 / value < 0 ? "-0" : "0";
    }
    BigDecimal rounded = new BigDecimal(value).round(new MathContext(6, RoundingMode.HALF_EVEN));
    int exponent = rounded.precision() - rounded.scale() - 1;
    if (exponent < -4 || exponent >= 6) {
      String mantissa = rounded.movePointLeft(exponent).stripTrailingZeros().toPlainString();
      return mantissa + (exponent < 0 ? "e-" : "e+") + String.format("%02d", Math.abs(exponent));
    }
    return rounded.stripTrailingZeros().toPlainString();
  }

  /** "nan", "-nan", "inf", "-inf" as glibc prints them; null for a finite value. */
  private static String special(double value) {
    if (Double.isNaN(value)) {
      return Double.doubleToRawLongBits(value) < 0 ? "-nan" : "nan";
    }
    if (Double.isInfinite(value)) {
      return value < 0 ? "-inf" : "inf";
    }
    return null;
  }
}
