#pragma once

#include <vector>

#include "shim/aoti_shim.h"

namespace pt2run::shim {

// Model libraries take ownership of ("steal") the input handles of a run and delete them, but
// a library that fails early (say, on the input count) may return before it took them. While
// a scope is open on a thread, aoti_torch_delete_tensor_object records which of its handles
// the model deleted; on close, the scope deletes the rest. No input handle leaks, none is
// deleted twice.
class InputHandleScope {
 public:
  explicit InputHandleScope(std::vector<AtenTensorHandle>& handles);
  ~InputHandleScope();
  InputHandleScope(const InputHandleScope&) = delete;
  InputHandleScope& operator=(const InputHandleScope&) = delete;

 private:
  std::vector<AtenTensorHandle>& handles_;
  InputHandleScope* previous_;
};

// Called by aoti_torch_delete_tensor_object before it frees a handle.
void note_handle_deleted(AtenTensorHandle handle) noexcept;

// While open on a thread, appends every handle aoti_torch_new_tensor_handle creates to
// `created`. The runner uses it around user-managed constant updates: AOTInductor's container
// wraps each such constant in a handle it never deletes (MaybeOwningAtenTensorHandle with
// user_managed), so the runner keeps them and frees them after the container is gone.
class NewHandleRecorder {
 public:
  explicit NewHandleRecorder(std::vector<AtenTensorHandle>& created);
  ~NewHandleRecorder();
  NewHandleRecorder(const NewHandleRecorder&) = delete;
  NewHandleRecorder& operator=(const NewHandleRecorder&) = delete;

 private:
  std::vector<AtenTensorHandle>* previous_;
};

// Called by aoti_torch_new_tensor_handle with the handle it created.
void note_handle_created(AtenTensorHandle handle);

}  // namespace pt2run::shim
