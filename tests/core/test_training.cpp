// End-to-end training: the MLP classifier of MiniTorch's module 3 (2 -> H -> H -> 1; relu,
// relu, sigmoid; binary cross-entropy; SGD with lr 0.05; batches of 10, in order) on the toy
// datasets, from fixed seeds.
#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

#include "classifier.hpp"
#include "mt.hpp"

namespace {

using mt::DType;
using mt::Tensor;

using mt::nn::classifier_accuracy;
using mt::nn::train_classifier_epoch;

constexpr uint64_t kSeed = 3;  // parameters from Generator(kSeed), data from seed kSeed + 1
constexpr int64_t kPoints = 50;
constexpr int64_t kBatch = 10;
constexpr double kLearningRate = 0.05;
constexpr int kMaxEpochs = 500;
constexpr double kTargetAccuracy = 0.96;

using TrainingCase = std::tuple<mt::DatasetKind, int64_t>;

class Training : public ::testing::TestWithParam<TrainingCase> {};

TEST_P(Training, ReachesTheTargetAccuracy) {
  const auto [kind, hidden] = GetParam();
  mt::Generator generator(kSeed);
  const mt::nn::Mlp model({2, hidden, hidden, 1}, DType::Float64, generator);
  mt::nn::SGD optimizer(model.parameters(), kLearningRate);
  const mt::Dataset data = mt::make_dataset(kind, kPoints, kSeed + 1, DType::Float64);
  const double initial_loss = train_classifier_epoch(model, optimizer, data, kBatch);
  double loss = initial_loss, best = 0;
  int epoch = 1;
  for (; epoch < kMaxEpochs && best < kTargetAccuracy; ++epoch) {
    loss = train_classifier_epoch(model, optimizer, data, kBatch);
    best = std::max(best, classifier_accuracy(model, data));
  }
  EXPECT_GE(best, kTargetAccuracy) << "after " << epoch << " epochs, loss " << loss;
  EXPECT_LT(loss, initial_loss);
  RecordProperty("epochs", epoch);
}

INSTANTIATE_TEST_SUITE_P(Mlp, Training,
                         ::testing::Combine(::testing::Values(mt::DatasetKind::Split,
                                                              mt::DatasetKind::Xor),
                                            ::testing::Values(int64_t{10}, int64_t{100})),
                         [](const ::testing::TestParamInfo<TrainingCase>& param) {
                           return std::string(mt::dataset_name(std::get<0>(param.param))) + "_H" +
                                  std::to_string(std::get<1>(param.param));
                         });

// The reference backend trains the same model to the same parameters (within rounding).
TEST(Training, BackendsAgree) {
  std::vector<std::vector<double>> trained;
  const std::string previous = mt::default_backend().name();
  for (const char* backend : {"cpu_seq", "cpu_par"}) {
    mt::set_default_backend(backend);
    mt::Generator generator(kSeed);
    const mt::nn::Mlp model({2, 8, 8, 1}, DType::Float64, generator);
    mt::nn::SGD optimizer(model.parameters(), kLearningRate, 0.9);
    const mt::Dataset data = mt::make_dataset(mt::DatasetKind::Circle, 40, kSeed, DType::Float64);
    for (int epoch = 0; epoch < 5; ++epoch)
      train_classifier_epoch(model, optimizer, data, kBatch);
    std::vector<double> values;
    for (const Tensor& p : model.parameters())
      for (double v : mt::to_vector<double>(p))
        values.push_back(v);
    trained.push_back(values);
  }
  mt::set_default_backend(previous);
  ASSERT_EQ(trained[0].size(), trained[1].size());
  for (size_t i = 0; i < trained[0].size(); ++i)
    EXPECT_NEAR(trained[0][i], trained[1][i], 1e-9) << "parameter element " << i;
}

}  // namespace

namespace {

TEST(Training, RejectsAnEmptyBatch) {
  mt::Generator generator(kSeed);
  const mt::nn::Mlp model({2, 4, 1}, DType::Float64, generator);
  mt::nn::SGD optimizer(model.parameters(), kLearningRate);
  const mt::Dataset data = mt::make_dataset(mt::DatasetKind::Xor, 10, kSeed, DType::Float64);
  EXPECT_THROW(train_classifier_epoch(model, optimizer, data, 0), mt::Error);
}

}  // namespace
