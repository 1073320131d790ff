#include "test_support.hpp"

#include "backend/cuda/cuda_runtime.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <iomanip>
#include <limits>
#include <numeric>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace mt::test {

Rng test_rng(uint64_t salt) {
  // FNV-1a, so that the seed does not depend on the standard library's std::hash.
  uint64_t seed = 0xcbf29ce484222325ull ^ salt;
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  if (info != nullptr) {
    for (const std::string_view part : {info->test_suite_name(), ".", info->name()}) {
      for (const char c : part)
        seed = (seed ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
    }
  }
  return Rng(seed);
}

int64_t uniform_int(Rng& rng, int64_t low, int64_t high) {
  return std::uniform_int_distribution<int64_t>(low, high)(rng);
}

double uniform_real(Rng& rng, double low, double high) {
  return std::uniform_real_distribution<double>(low, high)(rng);
}

bool chance(Rng& rng, double probability) { return std::bernoulli_distribution(probability)(rng); }

ValueGen uniform_values(double low, double high) {
  return [low, high](Rng& rng) { return uniform_real(rng, low, high); };
}

Dims random_shape(Rng& rng, int max_rank, int64_t max_size) {
  const int rank = static_cast<int>(uniform_int(rng, 0, max_rank));
  Dims shape;
  for (int d = 0; d < rank; ++d)
    shape.push_back(uniform_int(rng, 1, max_size));
  if (rank > 0 && chance(rng, 0.1)) shape[static_cast<int>(uniform_int(rng, 0, rank - 1))] = 0;
  return shape;
}

Tensor random_strided(Rng& rng, const Dims& shape, DType dtype, const ValueGen& values) {
  const int rank = shape.size();
  std::vector<int> order(rank);
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), rng);

  // Storage dim i holds dim order[i] of the result.
  Dims storage_shape;
  for (const int d : order)
    storage_shape.push_back(shape[d]);
  enum class Cut { kNone, kNarrow, kSlice };
  const Cut cut = rank == 0 ? Cut::kNone : static_cast<Cut>(uniform_int(rng, 0, 2));
  const int cut_dim = rank == 0 ? 0 : static_cast<int>(uniform_int(rng, 0, rank - 1));
  const int64_t cut_size = rank == 0 ? 0 : storage_shape[cut_dim];
  if (cut == Cut::kNarrow) storage_shape[cut_dim] = cut_size + 2;
  if (cut == Cut::kSlice) storage_shape[cut_dim] = 2 * cut_size + 1;

  Tensor base = Tensor::empty(storage_shape, dtype);
  for_each_index(storage_shape, [&](const Dims& index) { base.set(index, values(rng)); });
  if (cut == Cut::kNarrow) base = base.narrow(cut_dim, 1, cut_size);
  if (cut == Cut::kSlice) base = base.slice(cut_dim, 1, 2 * cut_size + 1, 2);

  Dims inverse;
  for (int d = 0; d < rank; ++d)
    inverse.push_back(0);
  for (int i = 0; i < rank; ++i)
    inverse[order[i]] = i;
  Tensor result = base.permute(inverse);
  if (!(result.shape() == shape)) {
    throw std::logic_error(cat("random_strided built ", result.shape(), " for ", shape));
  }
  return result;
}

Tensor random_strided(Rng& rng, const Dims& shape, DType dtype, double low, double high) {
  return random_strided(rng, shape, dtype, uniform_values(low, high));
}

std::pair<Dims, Dims> random_broadcast_pair(Rng& rng, int max_rank, int64_t max_size) {
  const Dims full = random_shape(rng, max_rank, max_size);
  const auto derive = [&] {
    const int rank = full.size();
    const int drop = chance(rng, 0.4) ? static_cast<int>(uniform_int(rng, 0, rank)) : 0;
    Dims shape;
    for (int d = drop; d < rank; ++d)
      shape.push_back(chance(rng, 0.3) ? 1 : full[d]);
    return shape;
  };
  Dims a = derive();
  Dims b = derive();
  return {a, b};
}

Dims broadcast_shape(const Dims& a, const Dims& b) {
  const int rank = std::max(a.size(), b.size());
  Dims out;
  for (int d = 0; d < rank; ++d) {
    // Dims missing on the left act as size 1.
    const int da = d - (rank - a.size());
    const int db = d - (rank - b.size());
    const int64_t sa = da < 0 ? 1 : a[da];
    const int64_t sb = db < 0 ? 1 : b[db];
    if (sa != sb && sa != 1 && sb != 1) {
      throw std::invalid_argument(cat("test bug: ", a, " and ", b, " do not broadcast"));
    }
    out.push_back(sa == 1 ? sb : sa);
  }
  return out;
}

Dims broadcast_source(const Dims& index, const Dims& shape) {
  const int lead = index.size() - shape.size();
  Dims source;
  for (int d = 0; d < shape.size(); ++d)
    source.push_back(shape[d] == 1 ? 0 : index[lead + d]);
  return source;
}

int64_t element_count(const Dims& shape) {
  int64_t count = 1;
  for (const int64_t size : shape)
    count *= size;
  return count;
}

Dims concat(const Dims& a, const Dims& b) {
  Dims out = a;
  for (const int64_t value : b)
    out.push_back(value);
  return out;
}

void for_each_index(const Dims& shape, const std::function<void(const Dims&)>& fn) {
  if (element_count(shape) == 0) return;
  Dims index;
  for (int d = 0; d < shape.size(); ++d)
    index.push_back(0);
  while (true) {
    fn(index);
    // Odometer step: bump the last dim, carrying into earlier ones.
    int d = shape.size() - 1;
    while (d >= 0 && ++index[d] == shape[d])
      index[d--] = 0;
    if (d < 0) return;
  }
}

std::string describe(const Tensor& tensor) {
  return cat(tensor.dtype(), " ", tensor.shape(), " strides ", tensor.strides(), " offset ",
             tensor.offset());
}

Tolerance default_tolerance(DType dtype) {
  return dtype == DType::Float32 ? Tolerance{1e-5, 1e-6} : Tolerance{1e-12, 1e-14};
}

bool values_close(double actual, double expected, Tolerance tol, double scale) {
  if (std::isnan(expected) || std::isnan(actual)) return std::isnan(expected) && std::isnan(actual);
  if (std::isinf(expected) || std::isinf(actual)) return actual == expected;
  return std::abs(actual - expected) <= tol.abs + tol.rel * std::max(std::abs(expected), scale);
}

::testing::AssertionResult all_close(const Tensor& actual, const Dims& shape, DType dtype,
                                     const ScaledExpectedFn& expected, Tolerance tol) {
  if (!actual.defined()) return ::testing::AssertionFailure() << "the result is undefined";
  if (!(actual.shape() == shape) || actual.dtype() != dtype) {
    return ::testing::AssertionFailure() << "expected " << dtype << " " << shape << ", got "
                                         << actual.dtype() << " " << actual.shape();
  }
  constexpr int kShown = 5;
  int mismatches = 0;
  std::ostringstream report;
  report << std::setprecision(17);
  for_each_index(shape, [&](const Dims& index) {
    const double got = at(actual, index);
    const Expected want = expected(index);
    if (values_close(got, want.value, tol, want.scale)) return;
    if (++mismatches <= kShown) {
      report << "\n  at " << index << ": actual " << got << ", expected " << want.value;
    }
  });
  if (mismatches == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << mismatches << " of " << element_count(shape) << " elements differ (tolerance rel "
         << tol.rel << ", abs " << tol.abs << "):" << report.str();
}

::testing::AssertionResult all_close(const Tensor& actual, const Dims& shape, DType dtype,
                                     const ExpectedFn& expected, Tolerance tol) {
  return all_close(
      actual, shape, dtype, [&](const Dims& index) { return Expected{expected(index)}; }, tol);
}

::testing::AssertionResult all_close(const Tensor& actual, const Dims& shape, DType dtype,
                                     const ExpectedFn& expected) {
  return all_close(actual, shape, dtype, expected, default_tolerance(dtype));
}

::testing::AssertionResult throws_error(const std::function<void()>& fn,
                                        std::initializer_list<ErrorCode> codes,
                                        std::initializer_list<std::string_view> message_parts) {
  try {
    fn();
  } catch (const Error& error) {
    const std::string message = error.what();
    const auto code = static_cast<int32_t>(error.code());
    if (std::find(codes.begin(), codes.end(), error.code()) == codes.end()) {
      return ::testing::AssertionFailure() << "unexpected error code " << code << ": " << message;
    }
    for (const std::string_view part : message_parts) {
      if (message.find(part) == std::string::npos) {
        return ::testing::AssertionFailure()
               << "message \"" << message << "\" lacks \"" << part << "\"";
      }
    }
    return ::testing::AssertionSuccess();
  } catch (const std::exception& other) {
    return ::testing::AssertionFailure() << "threw a non-mt::Error: " << other.what();
  }
  return ::testing::AssertionFailure() << "did not throw";
}

::testing::AssertionResult bitwise_equal(const Tensor& actual, const Tensor& expected) {
  if (!(actual.shape() == expected.shape()))
    return ::testing::AssertionFailure()
           << "shape " << actual.shape() << " vs " << expected.shape();
  const auto a = to_vector<double>(actual), e = to_vector<double>(expected);
  for (size_t i = 0; i < a.size(); ++i)
    if (std::memcmp(&a[i], &e[i], sizeof(double)) != 0 && !(std::isnan(a[i]) && std::isnan(e[i])))
      return ::testing::AssertionFailure() << "element " << i << ": " << a[i] << " vs " << e[i]
                                           << " (" << describe(actual) << ")";
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult close(const Tensor& actual, const Tensor& expected, const Tensor& scale,
                                 double rel) {
  if (!(actual.shape() == expected.shape()))
    return ::testing::AssertionFailure()
           << "shape " << actual.shape() << " vs " << expected.shape();
  const auto a = to_vector<double>(actual), e = to_vector<double>(expected),
             s = to_vector<double>(scale);
  const double tiny = actual.dtype() == DType::Float32 ? std::numeric_limits<float>::min()
                                                       : std::numeric_limits<double>::min();
  for (size_t i = 0; i < a.size(); ++i)
    if (!values_close(a[i], e[i], {rel, tiny}, s[i] + std::abs(e[i])))
      return ::testing::AssertionFailure() << "element " << i << ": " << a[i] << " vs " << e[i]
                                           << " (scale " << s[i] << ", " << describe(actual) << ")";
  return ::testing::AssertionSuccess();
}

Tensor same_layout_on(Device device, const Tensor& t) {
  if (device == t.device()) return t;
  const int64_t elements = t.storage()->nbytes() / itemsize(t.dtype());
  const Tensor whole(t.storage(), 0, {elements}, {1}, t.dtype());
  return Tensor(whole.to(device).storage(), t.offset(), t.shape(), t.strides(), t.dtype());
}

void CudaTest::SetUp() {
  if (cuda_device_count() > 0) return;
  if (std::getenv("MT_REQUIRE_CUDA") != nullptr)
    FAIL() << "CUDA is unavailable: " << cuda_unavailable_reason();
  GTEST_SKIP() << "CUDA is unavailable: " << cuda_unavailable_reason();
}

}  // namespace mt::test
