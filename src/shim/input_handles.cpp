#include "shim/input_handles.h"

#include <algorithm>

#include "pt2run/tensor.h"

namespace pt2run::shim {
namespace {
thread_local InputHandleScope* t_scope = nullptr;
thread_local std::vector<AtenTensorHandle>* t_handles = nullptr;
}  // namespace

InputHandleScope::InputHandleScope(std::vector<AtenTensorHandle>& handles)
    : handles_(handles), previous_(t_scope) {
  t_scope = this;
  t_handles = &handles_;
}

InputHandleScope::~InputHandleScope() {
  for (AtenTensorHandle h : handles_) delete reinterpret_cast<Tensor*>(h);
  handles_.clear();
  t_scope = previous_;
  t_handles = previous_ ? &previous_->handles_ : nullptr;
}

void note_handle_deleted(AtenTensorHandle handle) noexcept {
  if (t_handles == nullptr || handle == nullptr) return;
  auto it = std::find(t_handles->begin(), t_handles->end(), handle);
  if (it != t_handles->end()) *it = nullptr;
}

}  // namespace pt2run::shim

namespace pt2run::shim {
namespace {
thread_local std::vector<AtenTensorHandle>* t_created = nullptr;
}  // namespace

NewHandleRecorder::NewHandleRecorder(std::vector<AtenTensorHandle>& created)
    : previous_(t_created) {
  t_created = &created;
}

NewHandleRecorder::~NewHandleRecorder() { t_created = previous_; }

void note_handle_created(AtenTensorHandle handle) {
  if (t_created != nullptr) t_created->push_back(handle);
}

}  // namespace pt2run::shim
