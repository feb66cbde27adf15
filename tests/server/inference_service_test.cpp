// pt2run serve's endpoints without sockets, on a corpus model exported by torch: metadata,
// JSON and binary inference checked against torch's eager outputs, every kind of bad request,
// and the model repository.

#include "server/inference_service.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <thread>
#include <nlohmann/json.hpp>

#include "pt2run/inspect.h"
#include "pt2run/package_loader.h"
#include "pt2run/tensor_file.h"
#include "testing/corpus.h"

namespace pt2run::server {
namespace {

using json = nlohmann::json;

HttpRequest get(const std::string& path) { return {"GET", path, {}, ""}; }
HttpRequest post(const std::string& path, std::string body, std::map<std::string, std::string> headers = {}) {
  return {"POST", path, std::move(headers), std::move(body)};
}

json shape_of(const Tensor& t) {
  json s = json::array();
  for (int64_t d : t.sizes()) s.push_back(d);
  return s;
}

// A v2 JSON request for the mlp's case 0 (input "args[0]").
json mlp_request(const Tensor& x) {
  json data = json::array();
  for (int64_t i = 0; i < x.numel(); ++i) data.push_back(x.data<float>()[i]);
  return {{"id", "t1"}, {"inputs", {{{"name", "args[0]"}, {"shape", shape_of(x)}, {"datatype", "FP32"}, {"data", data}}}}};
}

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    PT2RUN_REQUIRE_CORPUS();
    service_.load({"mlp", testing::package_path("mlp"), 2});
    data_ = testing::load_case("mlp", testing::model_entry("mlp")["cases"][0]);
  }
  InferenceService service_;
  testing::Case data_;
};

TEST_F(ServiceTest, HealthAndMetadata) {
  EXPECT_EQ(service_.handle(get("/v2/health/live")).status, 200);
  EXPECT_EQ(service_.handle(get("/v2/health/ready")).status, 200);
  json server = json::parse(service_.handle(get("/v2")).body);
  EXPECT_EQ(server["name"], "pt2run");
  EXPECT_NE(std::find(server["extensions"].begin(), server["extensions"].end(), "binary_tensor_data"),
            server["extensions"].end());
  for (const char* path : {"/v2/models/mlp", "/v2/models/mlp/versions/1"}) {
    HttpResponse r = service_.handle(get(path));
    ASSERT_EQ(r.status, 200) << r.body;
    json meta = json::parse(r.body);
    EXPECT_EQ(meta["name"], "mlp");
    EXPECT_EQ(meta["inputs"][0]["name"], "args[0]");
    EXPECT_EQ(meta["inputs"][0]["datatype"], "FP32");
    EXPECT_EQ(meta["inputs"][0]["shape"], json::parse("[-1, 16]"));  // a dynamic batch
    EXPECT_EQ(meta["outputs"][0]["name"], "output");
  }
  EXPECT_EQ(service_.handle(get("/v2/models/mlp/ready")).status, 200);
  EXPECT_EQ(service_.handle(get("/v2/models/mlp/versions/1/ready")).status, 200);
  EXPECT_EQ(service_.handle(get("/v2/models/mlp/versions/2")).status, 404);
  HttpResponse unknown = service_.handle(get("/v2/models/nope"));
  EXPECT_EQ(unknown.status, 404);
  EXPECT_NE(json::parse(unknown.body)["error"].get<std::string>().find("no model 'nope'"), std::string::npos);
  EXPECT_EQ(service_.handle(get("/v1/models")).status, 404);
  EXPECT_EQ(service_.handle({"DELETE", "/v2/models/mlp", {}, ""}).status, 405);
}

TEST_F(ServiceTest, JsonInferenceMatchesTorch) {
  HttpResponse r = service_.handle(post("/v2/models/mlp/infer", mlp_request(data_.inputs[0]).dump()));
  ASSERT_EQ(r.status, 200) << r.body;
  json doc = json::parse(r.body);
  EXPECT_EQ(doc["id"], "t1");
  EXPECT_EQ(doc["model_name"], "mlp");
  const json& out = doc["outputs"][0];
  EXPECT_EQ(out["name"], "output");
  EXPECT_EQ(out["shape"], shape_of(data_.expected[0]));
  Tensor y = Tensor::empty(std::vector<int64_t>(data_.expected[0].sizes().begin(), data_.expected[0].sizes().end()),
                           DType::Float32);
  for (int64_t i = 0; i < y.numel(); ++i) y.data<float>()[i] = out["data"][i].get<float>();
  testing::expect_outputs({y}, data_, "mlp over v2 JSON");
}

TEST_F(ServiceTest, BinaryInferenceMatchesTorch) {
  const Tensor& x = data_.inputs[0];
  json header = {{"inputs", {{{"name", "args[0]"}, {"shape", shape_of(x)}, {"datatype", "FP32"},
                              {"parameters", {{"binary_data_size", x.nbytes()}}}}}},
                 {"outputs", {{{"name", "output"}, {"parameters", {{"binary_data", true}}}}}}};
  const std::string head = header.dump();
  std::string body = head + std::string(static_cast<const char*>(x.data_ptr()), x.nbytes());
  HttpResponse r = service_.handle(
      post("/v2/models/mlp/infer", body, {{"inference-header-content-length", std::to_string(head.size())}}));
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "Inference-Header-Content-Length");
  const std::size_t json_size = std::stoul(r.headers[0].second);
  json doc = json::parse(r.body.substr(0, json_size));
  const Tensor& expected = data_.expected[0];
  ASSERT_EQ(doc["outputs"][0]["parameters"]["binary_data_size"].get<std::size_t>(), expected.nbytes());
  Tensor y = Tensor::empty(std::vector<int64_t>(expected.sizes().begin(), expected.sizes().end()), DType::Float32);
  ASSERT_EQ(r.body.size(), json_size + y.nbytes());
  std::memcpy(y.data_ptr(), r.body.data() + json_size, y.nbytes());
  testing::expect_outputs({y}, data_, "mlp over v2 binary");
}

TEST_F(ServiceTest, BadRequestsGetTheRightStatusAndTheServerKeepsServing) {
  auto error_of = [&](const HttpRequest& request, int status) {
    HttpResponse r = service_.handle(request);
    EXPECT_EQ(r.status, status) << r.body;
    return json::parse(r.body)["error"].get<std::string>();
  };
  json request = mlp_request(data_.inputs[0]);
  json wrong_dtype = request;
  wrong_dtype["inputs"][0]["datatype"] = "FP64";
  EXPECT_NE(error_of(post("/v2/models/mlp/infer", wrong_dtype.dump()), 400).find("must be FP32, got FP64"),
            std::string::npos);
  json wrong_shape = request;
  wrong_shape["inputs"][0]["shape"] = json::array({static_cast<int64_t>(data_.inputs[0].numel() / 8), 8});
  EXPECT_NE(error_of(post("/v2/models/mlp/infer", wrong_shape.dump()), 400).find("must have shape [-1,16]"),
            std::string::npos);
  json below_min = request;  // the batch's export range starts at 2
  below_min["inputs"][0]["shape"] = json::array({1, 16});
  below_min["inputs"][0]["data"] = json(std::vector<float>(16, 0.f));
  EXPECT_EQ(service_.handle(post("/v2/models/mlp/infer", below_min.dump())).status, 400);
  json unknown_input = request;
  unknown_input["inputs"][0]["name"] = "x";
  EXPECT_NE(error_of(post("/v2/models/mlp/infer", unknown_input.dump()), 400).find("no input 'x'"), std::string::npos);
  json unknown_output = request;
  unknown_output["outputs"] = {{{"name", "logits"}}};
  EXPECT_NE(error_of(post("/v2/models/mlp/infer", unknown_output.dump()), 400).find("no output 'logits'"),
            std::string::npos);
  EXPECT_EQ(service_.handle(post("/v2/models/mlp/infer", "{\"inputs\": [")).status, 400);
  EXPECT_EQ(service_.handle(post("/v2/models/mlp/infer", request.dump(),
                                 {{"inference-header-content-length", "12abc"}}))
                .status,
            400);
  EXPECT_EQ(service_.handle(post("/v2/models/none/infer", request.dump())).status, 404);
  // Still serving.
  EXPECT_EQ(service_.handle(post("/v2/models/mlp/infer", request.dump())).status, 200);
}

// Bytes that are not UTF-8, or text that pt2run's own messages could cut in half, get a 400
// (or 404) with a JSON error body; none throws out of handle() (which is noexcept: a throw
// there ends the process).
TEST_F(ServiceTest, TextThatIsNotUtf8IsAnErrorNotACrash) {
  const std::string good = mlp_request(data_.inputs[0]).dump();
  auto expect_json_error = [&](const HttpRequest& request, int status) {
    HttpResponse r = service_.handle(request);
    EXPECT_EQ(r.status, status) << request.path;
    const json body = json::parse(r.body);  // valid JSON, hence valid UTF-8
    EXPECT_TRUE(body["error"].is_string());
    return body["error"].get<std::string>();
  };
  for (const char* path : {"/v2/models/\xff", "/v2/models/\xff/infer", "/v2/models/\xff/weights",
                           "/v2/models/\xff/ready", "/v2/repository/models/\xff/load",
                           "/v2/repository/models/\xff/unload", "/v2/\xc3", "/\xed\xa0\x80"}) {
    const bool post_it = std::string(path).find("ready") == std::string::npos;
    const std::string message = expect_json_error(post_it ? post(path, good) : get(path), 400);
    EXPECT_NE(message.find("not valid UTF-8"), std::string::npos) << message;
    EXPECT_NE(message.find("\\x"), std::string::npos) << message;  // the bytes, shown escaped
  }
  EXPECT_NE(expect_json_error(post("/v2/models/mlp/infer", good, {{"inference-header-content-length", "\xff"}}), 400)
                .find("'\\xff' is not a size"),
            std::string::npos);
  // Valid JSON whose quoted pieces used to be cut inside a character.
  json long_type = mlp_request(data_.inputs[0]);
  long_type["inputs"][0]["datatype"] = std::string(39, 'A') + "\u20ac";
  expect_json_error(post("/v2/models/mlp/infer", long_type.dump()), 400);
  json accented = {{"inputs", {{{"name", "args[0]"}, {"shape", {2, 16}}, {"datatype", "INT64"},
                                {"data", json::array({std::string(60, 'a') + "\u00e9\u00e9\u00e9\u00e9\u00e9"})}}}}};
  for (int cut = 0; cut < 24; ++cut) {
    accented["inputs"][0]["data"][0] = std::string(static_cast<std::size_t>(cut), 'a') + "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9";
    expect_json_error(post("/v2/models/mlp/infer", accented.dump()), 400);
  }
  EXPECT_EQ(service_.handle(post("/v2/models/mlp/infer", good)).status, 200);
}

// Requests for models that are not served leave no trace in /metrics (a client could grow it
// without bound), and an unloaded model's series go with it.
TEST_F(ServiceTest, MetricsHoldSeriesOnlyForServedModels) {
  const std::string good = mlp_request(data_.inputs[0]).dump();
  for (int i = 0; i < 200; ++i)
    EXPECT_EQ(service_.handle(post("/v2/models/" + std::string(300, 'a' + i % 26) + std::to_string(i) + "/infer", good))
                  .status,
              404);
  EXPECT_EQ(service_.handle(post("/v2/models/mlp/infer", good)).status, 200);
  std::string metrics = service_.handle(get("/metrics")).body;
  EXPECT_EQ(metrics.find("aaaa"), std::string::npos);
  EXPECT_NE(metrics.find("pt2run_requests_total{model=\"mlp\",code=\"200\"} 1\n"), std::string::npos);
  EXPECT_LT(metrics.size(), 8000u);
  service_.unload("mlp");
  metrics = service_.handle(get("/metrics")).body;
  EXPECT_EQ(metrics.find("model=\"mlp\""), std::string::npos) << metrics;
}

TEST_F(ServiceTest, MetricsAndRequestLogs) {
  std::vector<std::string> lines;
  std::mutex lines_mutex;
  service_.set_request_log([&](const std::string& line) {
    std::lock_guard lock(lines_mutex);
    lines.push_back(line);
  });
  const std::string good = mlp_request(data_.inputs[0]).dump();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(service_.handle(post("/v2/models/mlp/infer", good)).status, 200);
  EXPECT_EQ(service_.handle(post("/v2/models/mlp/infer", "{", {{"x-request-id", "abc-1"}})).status, 400);
  HttpResponse m = service_.handle(get("/metrics"));
  ASSERT_EQ(m.status, 200);
  EXPECT_EQ(m.content_type, "text/plain; version=0.0.4");
  EXPECT_NE(m.body.find("pt2run_requests_total{model=\"mlp\",code=\"200\"} 3\n"), std::string::npos) << m.body;
  EXPECT_NE(m.body.find("pt2run_requests_total{model=\"mlp\",code=\"400\"} 1\n"), std::string::npos);
  EXPECT_NE(m.body.find("pt2run_request_duration_seconds_count{model=\"mlp\"} 4\n"), std::string::npos);
  EXPECT_NE(m.body.find("pt2run_request_duration_seconds_bucket{model=\"mlp\",le=\"+Inf\"} 4\n"), std::string::npos);
  EXPECT_NE(m.body.find("pt2run_requests_in_flight{model=\"mlp\"} 0\n"), std::string::npos);
  EXPECT_NE(m.body.find("pt2run_resident_memory_bytes "), std::string::npos);
  ASSERT_EQ(lines.size(), 5u);  // the four requests and the metrics scrape
  json bad = json::parse(lines[3]);
  EXPECT_EQ(bad["request_id"], "abc-1");
  EXPECT_EQ(bad["status"], 400);
  EXPECT_EQ(bad["path"], "/v2/models/mlp/infer");
  EXPECT_TRUE(bad.contains("error"));
  EXPECT_GE(json::parse(lines[0])["ms"].get<double>(), 0.0);
}

// Many clients at once against one instance and no queue: each request is answered right
// (200 with torch's numbers) or turned away with 503, never anything else, and the count of
// requests in flight returns to zero.
TEST(ServiceAdmission, ConcurrentRequestsAreServedOrTurnedAway) {
  PT2RUN_REQUIRE_CORPUS();
  RequestLimits limits;
  limits.max_queued = 0;
  InferenceService service("", limits);
  service.load({"mlp", testing::package_path("mlp"), 1});
  testing::Case data = testing::load_case("mlp", testing::model_entry("mlp")["cases"][0]);
  const std::string body = mlp_request(data.inputs[0]).dump();
  std::atomic<int> ok{0}, busy{0}, other{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 8; ++t)
    clients.emplace_back([&] {
      for (int i = 0; i < 40; ++i) {
        HttpResponse r = service.handle(post("/v2/models/mlp/infer", body));
        if (r.status == 200) {
          const json out = json::parse(r.body)["outputs"][0]["data"];
          Tensor y = Tensor::empty(std::vector<int64_t>(data.expected[0].sizes().begin(), data.expected[0].sizes().end()),
                                   DType::Float32);
          for (int64_t k = 0; k < y.numel(); ++k) y.data<float>()[k] = out[k].get<float>();
          EXPECT_TRUE(testing::tensors_close(y, data.expected[0], data.rtol[0], data.atol[0]));
          ++ok;
        } else if (r.status == 503 && json::parse(r.body)["error"].get<std::string>().find("is busy") != std::string::npos) {
          ++busy;
        } else {
          ++other;
        }
      }
    });
  for (auto& c : clients) c.join();
  std::printf("  %d served, %d turned away with 503\n", ok.load(), busy.load());
  EXPECT_GT(ok.load(), 0);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(ok.load() + busy.load(), 320);
  EXPECT_NE(service.handle(get("/metrics")).body.find("pt2run_requests_in_flight{model=\"mlp\"} 0\n"), std::string::npos);
}

// Requests of 3, 2 and 17 rows from 6 clients, stacked by the scheduler into runs of up to
// 64 rows: each answer must be torch's output for that request's own rows.
TEST(ServiceBatching, StackedRequestsMatchTorchRowForRow) {
  PT2RUN_REQUIRE_CORPUS();
  InferenceService service;
  ModelConfig config{"mlp", testing::package_path("mlp"), 1};
  config.max_batch_size = 64;
  config.max_queue_delay = std::chrono::milliseconds(5);
  service.load(config);
  std::vector<testing::Case> cases;
  const json entry = testing::model_entry("mlp");
  for (const auto& c : entry["cases"]) cases.push_back(testing::load_case("mlp", c));
  ASSERT_EQ(cases.size(), 3u);
  std::atomic<int> wrong{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 6; ++t)
    clients.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        const testing::Case& c = cases[static_cast<std::size_t>(t + i) % cases.size()];
        HttpResponse r = service.handle(post("/v2/models/mlp/infer", mlp_request(c.inputs[0]).dump()));
        if (r.status != 200) {
          ++wrong;
          continue;
        }
        const json out = json::parse(r.body)["outputs"][0];
        Tensor y = Tensor::empty(out["shape"].get<std::vector<int64_t>>(), DType::Float32);
        if (y.numel() != c.expected[0].numel()) {
          ++wrong;
          continue;
        }
        for (int64_t k = 0; k < y.numel(); ++k) y.data<float>()[k] = out["data"][k].get<float>();
        if (!testing::tensors_close(y, c.expected[0], c.rtol[0], c.atol[0])) ++wrong;
      }
    });
  for (auto& c : clients) c.join();
  EXPECT_EQ(wrong.load(), 0);
  const std::string metrics = service.handle(get("/metrics")).body;
  EXPECT_NE(metrics.find("pt2run_batch_rows_count{model=\"mlp\"}"), std::string::npos);
  EXPECT_NE(metrics.find("pt2run_queue_depth{model=\"mlp\"} 0"), std::string::npos);
}

// Batching settings given for every model apply where a model can batch: the mlp's dynamic
// first dimension (2..64) caps the rows; the pytree model (static shapes) runs unbatched.
TEST(ServiceBatching, SettingsApplyWhereAModelCanBatch) {
  PT2RUN_REQUIRE_CORPUS();
  InferenceService service;
  ModelConfig config{"mlp", testing::package_path("mlp"), 1};
  config.max_batch_size = 100;
  EXPECT_EQ(service.load(config).max_batch_size, 64u);
  config.max_batch_size = 8;
  EXPECT_EQ(service.load(config).max_batch_size, 8u);
  config = {"pytree", testing::package_path("pytree"), 1};
  config.max_batch_size = 8;
  EXPECT_EQ(service.load(config).max_batch_size, 1u);
}

// Weights swapped through the admin endpoint: bad files are refused with the old weights kept,
// a full set (here all zeros: the output becomes the bias the model folded in) takes effect.
TEST(ServiceWeights, SwapIsAllOrNothing) {
  PT2RUN_REQUIRE_CORPUS();
  InferenceService service;
  service.load({"mlp", testing::package_path("mlp"), 2});
  testing::Case data = testing::load_case("mlp", testing::model_entry("mlp")["cases"][0]);
  const std::string request = mlp_request(data.inputs[0]).dump();
  auto answer = [&] {
    const json out = json::parse(service.handle(post("/v2/models/mlp/infer", request)).body)["outputs"][0];
    Tensor y = Tensor::empty(out["shape"].get<std::vector<int64_t>>(), DType::Float32);
    for (int64_t k = 0; k < y.numel(); ++k) y.data<float>()[k] = out["data"][k].get<float>();
    return y;
  };
  NamedTensors zeros;
  for (const ConstantSummary& c : inspect_model(testing::package_path("mlp")).constants)
    zeros.emplace_back(c.fqn, Tensor::zeros(c.shape, *c.dtype));
  const std::string full = encode_tensors(zeros, TensorFileFormat::Safetensors);

  NamedTensors unknown = zeros;
  unknown.emplace_back("fc9.weight", Tensor::zeros({1}, DType::Float32));
  HttpResponse r = service.handle(post("/v2/models/mlp/weights", encode_tensors(unknown, TensorFileFormat::Safetensors)));
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("fc9.weight"), std::string::npos) << r.body;
  NamedTensors partial(zeros.begin(), zeros.begin() + 1);
  r = service.handle(post("/v2/models/mlp/weights", encode_tensors(partial, TensorFileFormat::Safetensors)));
  EXPECT_NE(r.status, 200) << r.body;
  r = service.handle(post("/v2/models/mlp/weights", "not a safetensors file"));
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_TRUE(testing::tensors_close(answer(), data.expected[0], data.rtol[0], data.atol[0]))
      << "refused updates leave the old weights";

  r = service.handle(post("/v2/models/mlp/weights", full));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["swapped"], true);
  const Tensor y = answer();
  EXPECT_FALSE(testing::tensors_close(y, data.expected[0], data.rtol[0], data.atol[0]));
  for (int64_t row = 1; row < y.size(0); ++row)
    for (int64_t k = 0; k < y.size(1); ++k)
      EXPECT_EQ(y.data<float>()[row * y.size(1) + k], y.data<float>()[k]) << "zero weights: every row is the bias";
  EXPECT_EQ(service.handle(post("/v2/models/nope/weights", full)).status, 404);
}

// A request's own timeout (parameters.timeout, microseconds) is honored: with the only instance
// busy behind a queue, a request allowed 1 µs is answered 504; a malformed timeout is 400.
TEST(ServiceTimeouts, ARequestsOwnTimeoutIsHonored) {
  PT2RUN_REQUIRE_CORPUS();
  InferenceService service;
  service.load({"mlp", testing::package_path("mlp"), 1});
  testing::Case data = testing::load_case("mlp", testing::model_entry("mlp")["cases"][0]);
  json request = mlp_request(data.inputs[0]);
  std::atomic<bool> done{false};
  std::atomic<int> timed_out{0}, served{0};
  const std::string plain = request.dump();  // the load's body; `request` changes below
  std::vector<std::thread> load;
  for (int t = 0; t < 4; ++t)
    load.emplace_back([&] {
      while (!done) service.handle(post("/v2/models/mlp/infer", plain));
    });
  request["parameters"] = {{"timeout", 1}};
  for (int i = 0; i < 200 && timed_out.load() == 0; ++i) {
    HttpResponse r = service.handle(post("/v2/models/mlp/infer", request.dump()));
    if (r.status == 504) {
      ++timed_out;
      EXPECT_NE(r.body.find("did not start the request within its timeout"), std::string::npos) << r.body;
    } else if (r.status == 200) {
      ++served;  // taken by the instance within the microsecond
    }
  }
  done = true;
  for (auto& t : load) t.join();
  EXPECT_GT(timed_out.load(), 0) << served.load() << " served";
  request["parameters"] = {{"timeout", "soon"}};
  HttpResponse r = service.handle(post("/v2/models/mlp/infer", request.dump()));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("timeout parameter"), std::string::npos) << r.body;
}

TEST(ServiceRepository, IndexLoadUnload) {
  PT2RUN_REQUIRE_CORPUS();
  const auto repo = std::filesystem::temp_directory_path() / ("pt2run-repo-" + std::to_string(::getpid()));
  std::filesystem::create_directories(repo / "mlp");
  std::filesystem::copy_file(testing::package_path("mlp"), repo / "mlp" / "model.pt2",
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(testing::package_path("cnn"), repo / "cnn.pt2",
                             std::filesystem::copy_options::overwrite_existing);
  InferenceService service(repo.string());
  json index = json::parse(service.handle(post("/v2/repository/index", "")).body);
  ASSERT_EQ(index.size(), 2u);
  EXPECT_EQ(index[0]["name"], "cnn");
  EXPECT_EQ(index[0]["state"], "UNAVAILABLE");
  EXPECT_EQ(service.handle(get("/v2/models/mlp")).status, 404);
  HttpResponse loaded = service.handle(post("/v2/repository/models/mlp/load", ""));
  EXPECT_EQ(loaded.status, 200) << loaded.body;
  index = json::parse(service.handle(post("/v2/repository/index", "")).body);
  EXPECT_EQ(index[1]["name"], "mlp");
  EXPECT_EQ(index[1]["state"], "READY");
  testing::Case data = testing::load_case("mlp", testing::model_entry("mlp")["cases"][0]);
  EXPECT_EQ(service.handle(post("/v2/models/mlp/infer", mlp_request(data.inputs[0]).dump())).status, 200);
  EXPECT_EQ(service.handle(post("/v2/repository/models/mlp/unload", "")).status, 200);
  EXPECT_EQ(service.handle(post("/v2/models/mlp/infer", mlp_request(data.inputs[0]).dump())).status, 404);
  EXPECT_EQ(service.handle(post("/v2/repository/models/mlp/unload", "")).status, 404);
  EXPECT_EQ(service.handle(post("/v2/repository/models/resnet/load", "")).status, 404);
  EXPECT_EQ(service.handle(post("/v2/repository/models/cnn/load", "")).status, 200);
  std::filesystem::remove_all(repo);
  // Without a repository, loading by name is a clear 404.
  InferenceService bare;
  EXPECT_NE(json::parse(bare.handle(post("/v2/repository/models/mlp/load", "")).body)["error"]
                .get<std::string>()
                .find("no model repository"),
            std::string::npos);
}

// A pinned model loads only from the package the pin names, by --model or through the repository.
TEST(ServiceRepository, PinnedPackages) {
  PT2RUN_REQUIRE_CORPUS();
  const auto repo = std::filesystem::temp_directory_path() / ("pt2run-pins-" + std::to_string(::getpid()));
  std::filesystem::create_directories(repo);
  std::filesystem::copy_file(testing::package_path("mlp"), repo / "mlp.pt2", std::filesystem::copy_options::overwrite_existing);
  InferenceService service(repo.string());
  ModelConfig config{"cnn", testing::package_path("cnn"), 1};
  config.expect_sha256 = package_sha256(testing::package_path("mlp"));
  try {
    service.load(config);
    ADD_FAILURE() << "a package that is not the pinned one loaded";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::InvalidPackage);
  }
  service.set_pins({{"mlp", package_sha256(testing::package_path("cnn"))}});
  HttpResponse refused = service.handle(post("/v2/repository/models/mlp/load", ""));
  EXPECT_EQ(refused.status, 500) << refused.body;  // the repository holds the wrong file: the server's side
  EXPECT_NE(refused.body.find("not the expected"), std::string::npos) << refused.body;
  service.set_pins({{"mlp", package_sha256(testing::package_path("mlp"))}});
  EXPECT_EQ(service.handle(post("/v2/repository/models/mlp/load", "")).status, 200);
  std::filesystem::remove_all(repo);
}

int open_fds() {
  int n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

// Loading and unloading a model gives back what loading took: the model library leaves the
// process (glibc keeps a library with STB_GNU_UNIQUE symbols forever; pt2run's private copy
// rebinds them), so descriptors stay level. (Memory over 1,000 cycles: e2e.serve_soak.)
TEST(ServiceRepository, LoadAndUnloadLeaveNoDescriptorBehind) {
  PT2RUN_REQUIRE_CORPUS();
  InferenceService service;
  testing::Case data = testing::load_case("mlp", testing::model_entry("mlp")["cases"][0]);
  const std::string good = mlp_request(data.inputs[0]).dump();
  auto cycle = [&] {
    service.load({"mlp", testing::package_path("mlp"), 1});
    ASSERT_EQ(service.handle(post("/v2/models/mlp/infer", good)).status, 200);
    service.unload("mlp");
  };
  for (int i = 0; i < 3; ++i) cycle();  // OpenMP, OpenBLAS and the shim settle in
  const int before = open_fds();
  for (int i = 0; i < 40; ++i) cycle();
  EXPECT_EQ(open_fds(), before);
}

}  // namespace
}  // namespace pt2run::server
