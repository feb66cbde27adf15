// pt2run: inspect, run and benchmark AOTInductor .pt2 packages from the command line.
//
// Exit codes: 0 success, 1 an error while working (a bad package or input file, a model
// failure), 2 a usage error (bad arguments). Errors go to stderr as one line and a hint.

#include <charconv>
#include <CLI/CLI.hpp>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "cli/commands.h"
#include "cli/custom_op_libraries.h"
#include "pt2run/pt2run.h"

namespace {

constexpr int kRuntimeError = 1;
constexpr int kUsageError = 2;

std::string hint_for(pt2run::ErrorCode code) {
  using pt2run::ErrorCode;
  switch (code) {
    case ErrorCode::ShapeMismatch:
    case ErrorCode::DTypeMismatch:
    case ErrorCode::DeviceMismatch:
      return "`pt2run inspect PACKAGE` shows the inputs the model expects";
    case ErrorCode::MissingSymbol:
      return "`pt2run inspect PACKAGE` lists every function the model needs and which are missing";
    case ErrorCode::UnsupportedPackage:
      return "`pt2run inspect PACKAGE` explains why it cannot run here";
    case ErrorCode::InvalidState:
      return "this package ships without weights; load them from C++ with load_constants";
    case ErrorCode::InvalidPackage:
      return "the file is damaged or not an AOTInductor package; export or copy it again";
    case ErrorCode::InvalidArgument:
      return "`pt2run inspect PACKAGE` shows the inputs the model takes; docs/cli.md the file formats";
    case ErrorCode::NotFound:
      return "check the path; `pt2run inspect PACKAGE` lists the models and inputs";
    default:
      return "see docs/cli.md";
  }
}

// A whole number of at least `min` (CLI11's own number checks print their bounds as 300-digit
// doubles).
CLI::Validator count_in(long long min) {
  return CLI::Validator(
      [min](std::string& text) -> std::string {
        errno = 0;
        char* end = nullptr;
        const long long v = std::strtoll(text.c_str(), &end, 10);
        if (end == text.c_str() || *end != '\0' || errno == ERANGE || v < min || v > (1LL << 40))
          return "must be a whole number from " + std::to_string(min) + " up, got '" + text + "'";
        return "";
      },
      min == 0 ? "COUNT>=0" : "COUNT>=1");
}

// A seed as torch.manual_seed takes a non-negative one: 0 .. 2^64-1, in decimal.
CLI::Validator seed_value() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        uint64_t v = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (text.empty() || ec != std::errc() || end != text.data() + text.size())
          return "must be a whole number from 0 to 18446744073709551615, got '" + text + "'";
        return "";
      },
      "SEED");
}

// 64 hex digits, as sha256sum prints a digest.
CLI::Validator sha256_digest() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        const bool hex = text.size() == 64 && text.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos;
        return hex ? "" : "must be a SHA-256 digest: 64 hex digits, as sha256sum prints";
      },
      "SHA256");
}

void print_error(const std::string& message, const std::string& hint) {
  std::fprintf(stderr, "pt2run: error: %s\n", message.c_str());
  if (!hint.empty()) std::fprintf(stderr, "hint: %s\n", hint.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  using namespace pt2run::cli;
  CLI::App app{"pt2run: inspect, run, benchmark and serve PyTorch AOTInductor .pt2 packages without libtorch"};
  app.set_version_flag("--version", PT2RUN_VERSION_STRING);
  app.require_subcommand(1);

  InspectOptions inspect;
  CLI::App* inspect_cmd = app.add_subcommand("inspect", "what a package holds and whether it runs here");
  inspect_cmd->add_option("package", inspect.package, "the .pt2 file")->required()->check(CLI::ExistingFile);
  inspect_cmd->add_option("--model", inspect.model, "model name inside the package")->capture_default_str();
  inspect_cmd->add_flag("--json", inspect.json, "machine-readable output");
  inspect_cmd->add_option("--expect-sha256", inspect.expect_sha256, "refuse the package unless its SHA-256 is this (64 hex digits, as sha256sum prints)")
      ->check(sha256_digest());

  RunOptions run;
  CLI::App* run_cmd = app.add_subcommand("run", "run a model once on inputs from tensor files");
  run_cmd->add_option("package", run.package, "the .pt2 file")->required()->check(CLI::ExistingFile);
  run_cmd->add_option("--inputs", run.inputs_files,
                      "inputs: .npz (arr_0, arr_1, ... or by name), .safetensors or .npy; repeat for several runs in order")
      ->check(CLI::ExistingFile);
  run_cmd->add_option("-i,--input", run.named_inputs, "one input as NAME=FILE.npy (repeat)");
  run_cmd->add_option("-o,--output", run.output_files,
                      "write outputs to .npz or .safetensors (arr_0, arr_1, ...); one per run when --inputs repeats");
  run_cmd->add_option("--seed", run.seed, "seed the random generator before the first run, as torch.manual_seed does")
      ->check(seed_value());
  run_cmd->add_option("--device", run.device, "cpu, cuda or cuda:N (must match the package)");
  run_cmd->add_option("--input-device", run.input_devices,
                      "INDEX=DEVICE: input INDEX (from 0) stays on DEVICE (cpu, cuda, cuda:N) instead of the package's "
                      "device (repeat)");
  run_cmd->add_option("--model", run.model, "model name inside the package")->capture_default_str();
  run_cmd->add_option("--expect-sha256", run.expect_sha256, "refuse the package unless its SHA-256 is this (64 hex digits, as sha256sum prints)")
      ->check(sha256_digest());
  run_cmd->add_option("--custom-ops", run.custom_ops, "a shared library registering C++ custom ops (pt2run::register_op); repeat for several")->check(CLI::ExistingFile);
  run_cmd->add_option("-t,--threads", run.threads, "threads per run (0: the physical cores, divided by --concurrency for bench)")->check(count_in(0));

  BenchOptions bench;
  CLI::App* bench_cmd = app.add_subcommand("bench", "measure load time, latency and throughput");
  bench_cmd->add_option("package", bench.package, "the .pt2 file")->required()->check(CLI::ExistingFile);
  bench_cmd->add_option("--inputs", bench.inputs_file, "inputs (default: random, from the recorded shapes)")
      ->check(CLI::ExistingFile);
  bench_cmd->add_option("--shape", bench.shapes, "shape of an input with dynamic dims: NAME=2x3x224x224 (repeat)");
  bench_cmd->add_option("--warmup", bench.warmup, "untimed runs first")->capture_default_str();
  auto* iterations = bench_cmd->add_option("--iterations", bench.iterations, "timed runs (default 100)");
  bench_cmd->add_option("--duration", bench.duration, "run for this many seconds instead")
      ->excludes(iterations)
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            // CLI11 parses "nan" and "inf" as numbers; neither is a duration.
            const double v = std::strtod(text.c_str(), nullptr);
            return std::isfinite(v) && v > 0 && v <= 86400 ? "" : "must be a number of seconds above 0, at most 86400";
          },
          "SECONDS"));
  bench_cmd->add_option("--concurrency", bench.concurrency, "threads calling run at once")->capture_default_str();
  bench_cmd->add_option("--num-models", bench.num_models, "model instances (default: the concurrency)");
  bench_cmd->add_option("-t,--threads", bench.threads, "threads per run (0: the physical cores, divided by --concurrency for bench)")->check(count_in(0));
  bench_cmd->add_option("--model", bench.model, "model name inside the package")->capture_default_str();
  bench_cmd->add_option("--expect-sha256", bench.expect_sha256, "refuse the package unless its SHA-256 is this (64 hex digits, as sha256sum prints)")
      ->check(sha256_digest());
  bench_cmd->add_flag("--cuda-graphs", bench.cuda_graphs,
                     "CUDA packages: replay CUDA graphs after the first run (needs --concurrency 1)");
  bench_cmd->add_option("--custom-ops", bench.custom_ops, "a shared library registering C++ custom ops (pt2run::register_op); repeat for several")->check(CLI::ExistingFile);
  bench_cmd->add_flag("--json", bench.json, "machine-readable output");
  bench_cmd->add_flag("--raw-latencies", bench.raw_latencies, "with --json: every timed run's latency (latencies_ms)");
  bench_cmd->add_flag("--profile", bench.profile,
                      "time each pt2run function the model calls, per run; the rest is the model's own code");
  bench_cmd->add_flag("--no-packed-weights", bench.no_packed_weights,
                      "CPU: keep no copies of the weights in the kernels' layout (less memory, slower runs)");

  ServeOptions serve;
  CLI::App* serve_cmd = app.add_subcommand("serve", "serve models over HTTP (KServe v2 protocol)");
  serve_cmd->add_option("--model", serve.models, "a model to serve: NAME=PACKAGE (repeat)");
  serve_cmd->add_option("--expect-sha256", serve.pins,
                        "NAME=SHA256: model NAME (given with --model or loaded from the repository) must have "
                        "this package digest (repeat)");
  serve_cmd->add_option("--repository", serve.repository, "a folder of NAME/model.pt2 or NAME.pt2, loadable by name")
      ->check(CLI::ExistingDirectory);
  serve_cmd->add_option("--host", serve.host, "address to listen on")->capture_default_str();
  serve_cmd->add_option("--port", serve.port, "port (0: any free one)")->capture_default_str()->check(CLI::Range(0, 65535));
  serve_cmd->add_option("--instances", serve.instances, "model instances per model (requests run at once)")
      ->capture_default_str()->check(count_in(1));
  serve_cmd->add_option("-t,--threads", serve.threads,
                        "threads per run (0: the physical cores divided by the runs at once, models x instances)")
      ->capture_default_str()->check(count_in(0));
  serve_cmd->add_option("--http-workers", serve.http_workers, "HTTP worker threads (requests handled at once)")
      ->capture_default_str()->check(count_in(1));
  serve_cmd->add_option("--max-body-mib", serve.max_body_mib, "largest request body accepted (413 above)")
      ->capture_default_str()->check(count_in(1));
  serve_cmd->add_option("--max-buffered-mib", serve.max_buffered_mib,
                        "request bytes held at once over all connections (503 beyond; at least --max-body-mib)")
      ->capture_default_str()->check(count_in(1));
  serve_cmd->add_option("--max-queue", serve.max_queue, "requests waiting per model beyond its instances (503 above)")
      ->capture_default_str()->check(count_in(0));
  serve_cmd->add_option("--max-batch-size", serve.max_batch_size,
                        "dynamic batching: rows per run, for models whose first dimension is dynamic (1: off)")
      ->capture_default_str()->check(count_in(1));
  serve_cmd->add_option("--max-queue-delay-us", serve.max_queue_delay_us,
                        "dynamic batching: how long a batch's first request waits for more")
      ->capture_default_str()->check(count_in(0));
  serve_cmd->add_option("--request-timeout-ms", serve.request_timeout_ms,
                        "a request not started within this time is answered 504 (0: no limit)")
      ->capture_default_str()->check(count_in(0));
  serve_cmd->add_option("--io-timeout-s", serve.io_timeout_s,
                        "a request's head and body must arrive within this many seconds of its first byte, "
                        "and its answer be taken within as many (slow clients get 408 or are closed)")
      ->capture_default_str()->check(count_in(1));
  serve_cmd->add_option("--idle-timeout-s", serve.idle_timeout_s,
                        "a keep-alive connection waiting this long for its next request is closed")
      ->capture_default_str()->check(count_in(1));
  serve_cmd->add_option("--max-connections", serve.max_connections,
                        "connections open at once; a new one displaces the longest-idle")
      ->capture_default_str()->check(count_in(1));
  serve_cmd->add_option("--custom-ops", serve.custom_ops, "a shared library registering C++ custom ops (pt2run::register_op); repeat for several")->check(CLI::ExistingFile);
  serve_cmd->add_flag("--quiet", serve.quiet, "no request log (one JSON line per request on stdout)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    print_error(e.what(), "`pt2run --help` or `pt2run " + std::string(argc > 1 ? argv[1] : "COMMAND") + " --help`");
    return kUsageError;
  }
  try {
    if (*inspect_cmd) return inspect_command(inspect);
    load_custom_op_libraries(*run_cmd ? run.custom_ops : *bench_cmd ? bench.custom_ops : serve.custom_ops);
    if (*run_cmd) return run_command(run);
    if (*bench_cmd) return bench_command(bench);
    if (*serve_cmd) return serve_command(serve);
  } catch (const UsageError& e) {
    print_error(e.message, e.hint);
    return kUsageError;
  } catch (const pt2run::Error& e) {
    // what() starts with "pt2run: ", which the prefix already says.
    std::string message = e.what();
    if (message.starts_with("pt2run: ")) message.erase(0, 8);
    print_error(message + " [" + std::string(pt2run::error_code_name(e.code())) + "]", hint_for(e.code()));
    return kRuntimeError;
  } catch (const std::exception& e) {
    print_error(e.what(), "this is a bug in pt2run; please report it");
    return kRuntimeError;
  }
  return 0;
}
