#pragma once

// The KServe Open Inference Protocol v2 (what Triton and KServe speak) as data: decoding an
// infer request's body (JSON tensors, or a JSON header followed by raw tensor bytes: the binary
// tensor extension) into pt2run tensors, and encoding the outputs back. No sockets here: the
// HTTP transport hands bodies in and writes what comes out, so all of it is testable and
// fuzzable on its own.
//
// Errors: every function throws pt2run::Error; decoding errors are ErrorCode::InvalidArgument
// with a message naming the input and what is wrong (the server answers 400 with it), a
// datatype pt2run has no tensor for is ErrorCode::NotImplemented.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pt2run/dtype.h"
#include "pt2run/error.h"
#include "pt2run/tensor.h"

namespace pt2run::server {

// The v2 datatype name of a dtype ("FP32", "INT64", "BOOL", ...); empty for dtypes the
// protocol cannot carry (complex, float8).
std::string_view datatype_of(DType dtype) noexcept;
// The dtype of a v2 datatype name; nullopt for names the protocol lacks or pt2run cannot hold
// ("BYTES": strings).
std::optional<DType> dtype_of(std::string_view datatype) noexcept;

// Bounds a request must keep, whatever its body size: a small body can still claim a huge shape.
struct RequestLimits {
  std::size_t max_inputs = 256;
  std::size_t max_rank = 16;
  std::size_t max_elements = std::size_t{1} << 28;  // per input
  // Requests a model takes beyond its instances, waiting for one; more get 503.
  std::size_t max_queued = 64;
};

struct InferInput {
  std::string name;
  Tensor tensor;  // CPU, contiguous, of the shape and dtype the request gave
};

struct RequestedOutput {
  std::string name;
  bool binary = false;  // parameters.binary_data: raw bytes after the JSON header
};

struct InferRequest {
  std::string id;                        // echoed in the response; may be empty
  std::vector<InferInput> inputs;        // in request order
  std::vector<RequestedOutput> outputs;  // empty: every output of the model
  bool binary_outputs = false;           // parameters.binary_data_output: the default for outputs
  // parameters.timeout (Triton's spelling, microseconds): the request is answered 504 if no
  // model instance has taken it by then (the server's --request-timeout-ms, if shorter, wins).
  std::optional<uint64_t> timeout_us;
};

// Decodes a POST .../infer body. header_length is the Inference-Header-Content-Length header:
// absent, the whole body is JSON; present, the body's first header_length bytes are JSON and
// the rest holds, in input order, the bytes of each input whose parameters give
// binary_data_size. Element data in JSON may be flat (row-major) or nested.
InferRequest parse_infer_request(std::string_view body, std::optional<std::size_t> header_length,
                                 const RequestLimits& limits = {});

struct InferOutput {
  std::string name;
  Tensor tensor;  // any device and layout: encoding copies to a contiguous CPU tensor
};

struct EncodedBody {
  std::string body;
  // Set when binary outputs follow the JSON: the Inference-Header-Content-Length to send.
  std::optional<std::size_t> header_length;
};

// Encodes the response to `request`: the outputs it asked for (all when it named none), in its
// order, as JSON data or raw bytes as it asked. JSON cannot hold NaN or infinity: such
// elements are written as null (ask for binary data to get them exactly). Throws
// Error(InvalidArgument) if the request names an output the model does not have.
EncodedBody encode_infer_response(const std::string& model_name, const std::string& model_version,
                                  const InferRequest& request, const std::vector<InferOutput>& outputs);

// The protocol's error body: {"error": "<message>"}.
std::string error_body(std::string_view message) noexcept;

// The HTTP status for an error raised while handling a request: the caller's fault is 400,
// an unknown model 404, what pt2run cannot do 501, a model failing 500.
int http_status(ErrorCode code) noexcept;

}  // namespace pt2run::server
