#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <vector>

#include "pt2run/export.h"
#include "pt2run/tensor.h"

namespace pt2run::detail {

// Runs an op's host implementation on host copies of its device tensors: how a device backend
// covers an op it has no kernel for, as ONNX Runtime's CUDA provider hands such nodes to its
// CPU provider. One staging serves one call:
//
//   HostStaging staging("topk");
//   staging.add(self);                  // every tensor argument, before stage()
//   staging.stage();                    // copies the bytes they span to the host
//   ... call the host op with staging.host(self) ...
//   staging.write_back();               // bytes the op changed go back to the device
//   Tensor out = staging.to_device(host_result);
//
// Tensors sharing a device storage share one host copy, so in-place ops, out= arguments and
// aliasing views behave as on the device; a host result that is a view of a staged tensor comes
// back as the same view of the device storage. The cost is a stream synchronization and a copy
// of every byte range the tensors span, each way; inside a graph capture, where neither is
// allowed, stage() throws NotImplemented naming the op.
//
// Thread safety: one object per call, used by one thread. Host tensors it returns stay valid
// while the object lives (and as long as anyone holds them).
class PT2RUN_PLUGIN_API HostStaging {
 public:
  explicit HostStaging(const char* op) : op_(op) {}
  HostStaging(const HostStaging&) = delete;
  HostStaging& operator=(const HostStaging&) = delete;

  // Registers a tensor argument (undefined and host tensors are accepted and left alone).
  void add(const Tensor& t);
  // Copies every registered device storage's used range to the host. Throws Error(NotImplemented)
  // inside a graph capture, DeviceMismatch without the device's backend.
  void stage();
  // The host tensor standing for a registered tensor: same sizes, strides and dtype.
  Tensor host(const Tensor& t) const;
  // Copies back the bytes of each staged range the host op changed.
  void write_back();
  // A result of the host op, on the device the call ran on: the matching device view when it
  // aliases a staged range, otherwise a new device tensor with the same sizes and strides.
  // Host results are returned as they are when no argument was on a device.
  Tensor to_device(const Tensor& host_result) const;
  // Whether any registered tensor lives on a device.
  bool any_device() const noexcept { return device_.has_value(); }

 private:
  struct Range {
    std::shared_ptr<Storage> device;
    std::size_t lo = 0, hi = 0;  // bytes of the device storage, lo aligned to kAlign
    std::shared_ptr<Storage> host;
    std::vector<std::byte> before;  // the staged bytes, to find what the op changed
  };
  static constexpr std::size_t kAlign = 16;  // every dtype's size divides it

  Range* find(const Storage* device);
  const Range* find_host(const Storage* host) const;

  const char* op_;
  std::vector<Range> ranges_;
  std::optional<Device> device_;
  bool staged_ = false;
};

}  // namespace pt2run::detail
