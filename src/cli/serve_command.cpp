// pt2run serve: the models given (or a repository folder) behind the KServe v2 protocol over
// HTTP until SIGINT or SIGTERM, which stop accepting and let requests in flight finish.

#include <algorithm>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>

#include "cli/commands.h"
#include "cli/stop_signals.h"
#include "cli/thread_choice.h"
#include "server/http_server.h"

namespace pt2run::cli {

int serve_command(const ServeOptions& o) {
  if (o.models.empty() && o.repository.empty())
    throw UsageError{"nothing to serve", "give --model NAME=PACKAGE (repeat) or --repository DIR"};
  StopSignals stop_signals;
  std::mutex log_mutex;  // outlives the service that logs through it
  server::RequestLimits limits;
  limits.max_queued = static_cast<std::size_t>(o.max_queue);
  server::InferenceService service(o.repository, limits);
  if (!o.quiet)
    service.set_request_log([&log_mutex](const std::string& line) {
      std::lock_guard lock(log_mutex);
      std::fprintf(stdout, "%s\n", line.c_str());
      std::fflush(stdout);
    });
  server::ModelConfig defaults;
  defaults.instances = static_cast<std::size_t>(o.instances);
  defaults.max_batch_size = static_cast<std::size_t>(o.max_batch_size);
  defaults.max_queue_delay = std::chrono::microseconds(o.max_queue_delay_us);
  defaults.request_timeout = std::chrono::milliseconds(o.request_timeout_ms);
  service.set_model_defaults(defaults);
  const int runs_at_once = std::max<int>(1, static_cast<int>(o.models.size())) * o.instances;
  const ThreadChoice threads = choose_threads(o.threads, runs_at_once);
  std::printf("pt2run serve: %d thread(s) per run (%s), %d instance(s) per model, %d HTTP worker(s)\n",
              threads.per_run, threads.why.c_str(), o.instances, o.http_workers);
  std::map<std::string, std::string> pins;
  for (const std::string& spec : o.pins) {
    const auto eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
      throw UsageError{"--expect-sha256 '" + spec + "' is not NAME=SHA256", "e.g. --expect-sha256 resnet=$(sha256sum resnet50.pt2)"};
    const std::string digest = spec.substr(eq + 1);
    if (digest.size() != 64 || digest.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
      throw UsageError{"--expect-sha256 '" + spec + "': the digest must be 64 hex digits", "as sha256sum prints it"};
    pins[spec.substr(0, eq)] = digest;
  }
  service.set_pins(pins);
  for (const std::string& spec : o.models) {
    const auto eq = spec.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
      throw UsageError{"--model '" + spec + "' is not NAME=PACKAGE", "e.g. --model resnet=resnet50.pt2"};
    server::ModelConfig config = defaults;
    config.name = spec.substr(0, eq);
    config.package = spec.substr(eq + 1);
    if (auto pin = pins.find(config.name); pin != pins.end()) config.expect_sha256 = pin->second;
    const server::ModelConfig loaded = service.load(config);
    if (o.max_batch_size > 1)
      std::printf("pt2run serve: model '%s': %s\n", loaded.name.c_str(),
                  loaded.max_batch_size > 1
                      ? ("batches of up to " + std::to_string(loaded.max_batch_size) + " rows").c_str()
                      : "not batched (its inputs and outputs share no dynamic first dimension)");
  }

  server::HttpOptions http;
  http.host = o.host;
  http.port = o.port;
  http.threads = o.http_workers;
  http.max_body_bytes = static_cast<std::size_t>(o.max_body_mib) << 20;
  http.request_timeout_s = http.write_timeout_s = o.io_timeout_s;
  http.idle_timeout_s = o.idle_timeout_s;
  http.max_connections = static_cast<std::size_t>(o.max_connections);
  if (o.max_buffered_mib < o.max_body_mib)
    throw UsageError{"--max-buffered-mib " + std::to_string(o.max_buffered_mib) + " is below --max-body-mib " +
                         std::to_string(o.max_body_mib),
                     "the server could not hold one request at the body limit"};
  http.max_buffered_bytes = static_cast<std::size_t>(o.max_buffered_mib) << 20;
  server::HttpServer server(service, http);
  std::string names;
  for (const auto& n : service.model_names()) names += (names.empty() ? "" : ", ") + n;
  std::printf("pt2run serve: listening on %s:%d (models: %s)\n", o.host.c_str(), server.port(),
              names.empty() ? "none yet" : names.c_str());
  std::fflush(stdout);
  std::thread stopper([&] {
    const int signal_number = stop_signals.wait();
    if (signal_number > 0) {
      std::printf("pt2run serve: signal %d, finishing the requests in flight\n", signal_number);
      std::fflush(stdout);
    }
    server.stop();
  });
  server.serve();
  // serve() also returns if listening fails; wake the stopper so it can be joined.
  stop_signals.wake();
  stopper.join();
  return 0;
}

}  // namespace pt2run::cli
