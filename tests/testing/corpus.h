#pragma once

// Access to the exported test corpus (tools/export_corpus.py): packages, inputs and the
// outputs torch eager produced for them.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "pt2run/tensor_file.h"
#include "pt2run/tensor.h"

namespace pt2run::testing {

inline std::filesystem::path corpus_dir() {
  const char* dir = std::getenv("PT2RUN_CORPUS_DIR");
  return dir ? std::filesystem::path(dir) : std::filesystem::path();
}

inline bool corpus_available() {
  return !corpus_dir().empty() && std::filesystem::exists(corpus_dir() / "manifest.json");
}

// Skips the calling test (or fixture SetUp) with a visible message when the corpus is absent.
#define PT2RUN_REQUIRE_CORPUS()                                                      \
  do {                                                                               \
    if (!::pt2run::testing::corpus_available())                                      \
      GTEST_SKIP() << "PT2RUN_CORPUS_DIR is not set to an exported corpus "         \
                      "(run tools/export_corpus.py, or scripts/test.sh which does)"; \
  } while (0)

inline nlohmann::json manifest() {
  std::ifstream in(corpus_dir() / "manifest.json");
  return nlohmann::json::parse(in);
}

// The manifest entry of a model; fails the calling test if the corpus lacks it.
inline nlohmann::json model_entry(const std::string& name) {
  const nlohmann::json all = manifest();
  for (const auto& m : all["models"])
    if (m["name"] == name) return m;
  ADD_FAILURE() << "corpus has no model '" << name << "' (re-export it)";
  return nlohmann::json::object();
}

inline std::string package_path(const std::string& model) {
  return (corpus_dir() / model / "model.pt2").string();
}

// A .npy array as the dtype the manifest names (bfloat16 arrays are stored as uint16 bits).
inline Tensor load_array(const std::filesystem::path& path, const std::string& dtype) {
  Tensor t = read_tensors(path.string()).at(0).second;
  if (dtype == "bfloat16") {
    return Tensor(t.storage(), std::vector<int64_t>(t.sizes().begin(), t.sizes().end()),
                  std::vector<int64_t>(t.strides().begin(), t.strides().end()), 0,
                  DType::BFloat16);
  }
  return t;
}

struct Case {
  std::vector<Tensor> inputs;
  std::vector<Tensor> expected;
  std::vector<double> rtol, atol;
};

// Case k of a model; weight_set "b" takes the expected outputs for its second weight set.
inline Case load_case(const std::string& model, const nlohmann::json& c,
                      const std::string& weight_set = "a") {
  Case result;
  const std::string out_prefix = weight_set == "a" ? "out_" : "out_" + weight_set + "_";
  auto dir = corpus_dir() / model / c["dir"].get<std::string>();
  for (std::size_t i = 0; i < c["inputs"].size(); ++i)
    result.inputs.push_back(load_array(dir / ("in_" + std::to_string(i) + ".npy"),
                                       c["inputs"][i]["dtype"].get<std::string>()));
  for (std::size_t j = 0; j < c["outputs"].size(); ++j) {
    const auto& o = c["outputs"][j];
    result.expected.push_back(
        load_array(dir / (out_prefix + std::to_string(j) + ".npy"), o["dtype"].get<std::string>()));
    result.rtol.push_back(o["rtol"].get<double>());
    result.atol.push_back(o["atol"].get<double>());
  }
  return result;
}

// A model's weight set ("a": as exported, "b": every weight replaced), FQN -> tensor, each
// contiguous.
inline std::unordered_map<std::string, Tensor> load_weights(const std::string& model,
                                                            const std::string& weight_set) {
  std::unordered_map<std::string, Tensor> weights;
  auto entry = model_entry(model);
  for (const auto& [fqn, info] : entry["constants"].items())
    weights.emplace(fqn, load_array(corpus_dir() / model / ("weights_" + weight_set) / (fqn + ".npy"),
                                    info["dtype"].get<std::string>()));
  return weights;
}

// Elementwise |actual - expected| <= atol + rtol * |expected|, same shape and dtype; NaNs
// must match. Reports the worst element.
inline ::testing::AssertionResult tensors_close(const Tensor& actual, const Tensor& expected,
                                                double rtol, double atol) {
  if (!actual.defined()) return ::testing::AssertionFailure() << "output is undefined";
  if (actual.dtype() != expected.dtype())
    return ::testing::AssertionFailure() << "dtype " << actual.describe() << " vs "
                                         << expected.describe();
  if (!std::equal(actual.sizes().begin(), actual.sizes().end(), expected.sizes().begin(),
                  expected.sizes().end()))
    return ::testing::AssertionFailure() << "shape " << actual.describe() << " vs "
                                         << expected.describe();
  Tensor a = actual.to(DType::Float64), e = expected.to(DType::Float64);
  const double* pa = a.data<double>();
  const double* pe = e.data<double>();
  for (int64_t i = 0; i < a.numel(); ++i) {
    const bool both_nan = std::isnan(pa[i]) && std::isnan(pe[i]);
    if (both_nan || pa[i] == pe[i]) continue;
    if (!(std::fabs(pa[i] - pe[i]) <= atol + rtol * std::fabs(pe[i])))
      return ::testing::AssertionFailure() << "element " << i << ": got " << pa[i] << ", expected "
                                           << pe[i] << " (rtol " << rtol << ", atol " << atol
                                           << ")";
  }
  return ::testing::AssertionSuccess();
}

// Matches every output of one case.
inline void expect_outputs(const std::vector<Tensor>& outputs, const Case& c,
                           const std::string& what) {
  ASSERT_EQ(outputs.size(), c.expected.size()) << what;
  for (std::size_t j = 0; j < outputs.size(); ++j)
    EXPECT_TRUE(tensors_close(outputs[j], c.expected[j], c.rtol[j], c.atol[j]))
        << what << ", output " << j;
}

}  // namespace pt2run::testing
