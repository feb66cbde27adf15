#pragma once

// Calls a host (CPU) shim function for a device op pt2run has no kernel for: the device tensors
// among the arguments are staged to host copies (core/host_staging.h), the host function runs,
// changed bytes go back, and its new tensors come back on the device.
//
//   AOTITorchError aoti_torch_cuda_topk(AtenTensorHandle self, ..., AtenTensorHandle* ret1) {
//     return call_on_host<2>(__func__, aoti_torch_cpu_topk, self, k, dim, largest, sorted, ret0,
//     ret1);
//   }
//
// The template reads the generated shim's argument conventions from the types: a handle is a
// tensor; a handle pointer is an optional tensor, except the trailing NRet, which are the
// results; `const AtenTensorHandle*` followed by its length is a tensor list, and
// `const AtenTensorHandle**` with its length a list of optional tensors. Everything else passes
// through unchanged.

#include <cstddef>
#include <deque>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/host_staging.h"
#include "shim/shim_guard.h"

namespace pt2run::shim {
namespace host_staged_detail {

template <class A>
inline constexpr bool is_list = std::is_same_v<A, const AtenTensorHandle*>;
template <class A>
inline constexpr bool is_optional_list = std::is_same_v<A, const AtenTensorHandle**>;

// The host arguments of one call; deques keep the addresses handed to the host function stable.
struct HostArgs {
  std::deque<Tensor> tensors;
  std::deque<AtenTensorHandle> handles;
  std::deque<std::vector<AtenTensorHandle>> lists;
  std::deque<std::vector<const AtenTensorHandle*>> optional_lists;

  AtenTensorHandle handle_of(const detail::HostStaging& staging, AtenTensorHandle device) {
    if (device == nullptr) return nullptr;
    tensors.push_back(staging.host(tensor(device)));
    return reinterpret_cast<AtenTensorHandle>(&tensors.back());
  }
};

template <std::size_t NRet, class Tuple, std::size_t I>
constexpr bool is_result() {
  return I + NRet >= std::tuple_size_v<Tuple>;
}

template <class Tuple, std::size_t I>
int64_t list_length(const Tuple& args) {
  static_assert(I + 1 < std::tuple_size_v<Tuple> &&
                    std::is_same_v<std::tuple_element_t<I + 1, Tuple>, int64_t>,
                "a tensor list argument must be followed by its length");
  const int64_t n = std::get<I + 1>(args);
  PT2RUN_CHECK(n >= 0 && n <= 4096, InvalidArgument, "bad tensor list length ", n);
  return n;
}

template <std::size_t NRet, class Tuple, std::size_t I>
void add_arg(detail::HostStaging& staging, const Tuple& args) {
  using A = std::tuple_element_t<I, Tuple>;
  const A& a = std::get<I>(args);
  if constexpr (std::is_same_v<A, AtenTensorHandle>) {
    if (a) staging.add(tensor(a));
  } else if constexpr (std::is_same_v<A, AtenTensorHandle*>) {
    if constexpr (!is_result<NRet, Tuple, I>())
      if (a && *a) staging.add(tensor(*a));
  } else if constexpr (is_list<A>) {
    const int64_t n = list_length<Tuple, I>(args);
    PT2RUN_CHECK(a || n == 0, InvalidArgument, "null tensor list");
    for (int64_t i = 0; i < n; ++i)
      if (a[i]) staging.add(tensor(a[i]));
  } else if constexpr (is_optional_list<A>) {
    const int64_t n = list_length<Tuple, I>(args);
    PT2RUN_CHECK(a || n == 0, InvalidArgument, "null tensor list");
    for (int64_t i = 0; i < n; ++i)
      if (a[i] && *a[i]) staging.add(tensor(*a[i]));
  }
}

template <std::size_t NRet, class Tuple, std::size_t I>
std::tuple_element_t<I, Tuple> host_arg(const detail::HostStaging& staging, HostArgs& host,
                                        const Tuple& args, AtenTensorHandle* results) {
  using A = std::tuple_element_t<I, Tuple>;
  const A& a = std::get<I>(args);
  if constexpr (std::is_same_v<A, AtenTensorHandle>) {
    return host.handle_of(staging, a);
  } else if constexpr (std::is_same_v<A, AtenTensorHandle*>) {
    if constexpr (is_result<NRet, Tuple, I>()) {
      return &results[I + NRet - std::tuple_size_v<Tuple>];
    } else {
      if (a == nullptr || *a == nullptr) return a;
      host.handles.push_back(host.handle_of(staging, *a));
      return &host.handles.back();
    }
  } else if constexpr (is_list<A>) {
    const int64_t n = list_length<Tuple, I>(args);
    auto& list = host.lists.emplace_back();
    for (int64_t i = 0; i < n; ++i) list.push_back(host.handle_of(staging, a[i]));
    return list.data();
  } else if constexpr (is_optional_list<A>) {
    const int64_t n = list_length<Tuple, I>(args);
    auto& list = host.optional_lists.emplace_back();
    for (int64_t i = 0; i < n; ++i) {
      if (a[i] == nullptr || *a[i] == nullptr) {
        list.push_back(nullptr);
      } else {
        host.handles.push_back(host.handle_of(staging, *a[i]));
        list.push_back(&host.handles.back());
      }
    }
    return const_cast<const AtenTensorHandle**>(list.data());
  } else {
    return a;
  }
}

template <std::size_t NRet, class... Args, std::size_t... I>
void run(const char* function, AOTITorchError (*host_fn)(Args...), const std::tuple<Args...>& args,
         std::index_sequence<I...>) {
  using Tuple = std::tuple<Args...>;
  static_assert(NRet <= sizeof...(Args));
  static_assert(((I + NRet < sizeof...(Args) || std::is_same_v<Args, AtenTensorHandle*>) && ...),
                "the trailing NRet arguments must be result handles");
  detail::HostStaging staging(function);
  (add_arg<NRet, Tuple, I>(staging, args), ...);
  staging.stage();
  HostArgs host;
  AtenTensorHandle results[NRet + 1] = {};
  const Tuple host_args{host_arg<NRet, Tuple, I>(staging, host, args, results)...};
  if (std::apply(host_fn, host_args) != kShimSuccess) {
    for (AtenTensorHandle r : results) delete reinterpret_cast<Tensor*>(r);
    detail::fail(ErrorCode::ModelFailure, "(run on host copies) ", last_error());
  }
  // Take every result before anything can throw, so none leaks.
  std::vector<Tensor> taken;
  for (std::size_t k = 0; k < NRet; ++k) {
    taken.push_back(results[k] ? tensor(results[k]) : Tensor());
    delete reinterpret_cast<Tensor*>(results[k]);
  }
  staging.write_back();
  AtenTensorHandle* slots[NRet + 1] = {};
  auto slot_of = [&]<std::size_t J>(std::integral_constant<std::size_t, J>) {
    if constexpr (is_result<NRet, Tuple, J>())
      slots[J + NRet - sizeof...(Args)] = std::get<J>(args);
  };
  (slot_of(std::integral_constant<std::size_t, I>{}), ...);
  for (std::size_t k = 0; k < NRet; ++k)
    *require_out(slots[k], "ret") =
        taken[k].defined() ? release_handle(staging.to_device(taken[k])) : nullptr;
}

template <std::size_t NRet, class... Args, std::size_t... I>
bool any_device(const std::tuple<Args...>& args, std::index_sequence<I...>) {
  detail::HostStaging staging("");
  (add_arg<NRet, std::tuple<Args...>, I>(staging, args), ...);
  return staging.any_device();
}

}  // namespace host_staged_detail

// Without a device tensor among the arguments, the host function is called as it is.
template <std::size_t NRet, class... Args, class... Given>
AOTITorchError call_on_host(const char* function, AOTITorchError (*host_fn)(Args...),
                            Given... given) noexcept {
  static_assert(sizeof...(Args) == sizeof...(Given));
  const std::tuple<Args...> args{given...};
  bool on_device = false;
  const AOTITorchError checked = guard(function, [&] {
    on_device = host_staged_detail::any_device<NRet>(args, std::index_sequence_for<Args...>{});
  });
  if (checked != kShimSuccess) return checked;
  if (!on_device) return std::apply(host_fn, args);
  return guard(function, [&] {
    host_staged_detail::run<NRet>(function, host_fn, args, std::index_sequence_for<Args...>{});
  });
}

}  // namespace pt2run::shim
