// Trains MiniTorch's classifier (2 -> H -> H -> 1, relu, relu, sigmoid; binary cross-entropy;
// minibatch SGD) on a toy dataset and prints a line per epoch.
//   mt_train [dataset] [hidden] [epochs] [lr]     e.g. mt_train xor 10 500 0.05
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "classifier.hpp"
#include "mt.hpp"

int main(int argc, char** argv) try {
  const std::string dataset = argc > 1 ? argv[1] : "xor";
  const int64_t hidden = argc > 2 ? std::atoll(argv[2]) : 10;
  const int epochs = argc > 3 ? std::atoi(argv[3]) : 500;
  const double lr = argc > 4 ? std::atof(argv[4]) : 0.05;
  const int64_t points = 50, batch = 10;
  const auto kind = mt::parse_dataset_kind(dataset);
  if (!kind) {
    std::fprintf(stderr, "unknown dataset '%s' (simple, diag, split, xor, circle, spiral)\n",
                 dataset.c_str());
    return 2;
  }

  mt::Generator generator(3);
  const mt::nn::Mlp model({2, hidden, hidden, 1}, mt::DType::Float64, generator);
  mt::nn::SGD optimizer(model.parameters(), lr);
  const mt::Dataset data = mt::make_dataset(*kind, points, 4, mt::DType::Float64);

  std::printf("%s, %lld points, hidden %lld, lr %g, batch %lld, backend %s\n", dataset.c_str(),
              static_cast<long long>(points), static_cast<long long>(hidden), lr,
              static_cast<long long>(batch), mt::default_backend().name().c_str());
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    const double loss = mt::nn::train_classifier_epoch(model, optimizer, data, batch);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (epoch % 50 == 0 || epoch == 1)
      std::printf("epoch %4d  loss %.4f  accuracy %5.1f%%  %.3f ms/epoch\n", epoch, loss,
                  100 * mt::nn::classifier_accuracy(model, data), ms);
  }
  return 0;
} catch (const mt::Error& e) {
  std::fprintf(stderr, "error: %s\n", e.what());
  return 1;
}
