#pragma once

// Destructors of a model library's thread_local objects, run where they do not keep the library
// in memory forever.
//
// Generated model code keeps a thread_local std::string (the last error) that every container
// call touches, so every thread that ever calls into a model registers its destructor through
// __cxa_thread_atexit. glibc then refuses to unload the library until each such thread has
// exited: a server loading and unloading models from long-lived threads would keep every
// library it ever loaded. pt2run's private copy of a library imports
// pt2run_model_atexit instead (ElfImage::redirect_import), which records the destructor here:
// it runs when its thread exits, or, for threads still alive, when the library is unloaded.

namespace pt2run::detail {

// The name a model library's __cxa_thread_atexit import is redirected to (same length).
inline constexpr const char* kModelThreadAtexit = "pt2run_model_atexit";

// Runs, on the calling thread, every recorded destructor of the library whose load address is
// `library_base`, whatever thread recorded it, and forgets them. Call before dlclose, when no
// thread runs the library's code any more.
void run_thread_destructors_of(const void* library_base);

}  // namespace pt2run::detail

// The redirected import: records `destructor(object)` to run at the calling thread's exit.
// `dso_symbol` is an address inside the registering library. Returns 0.
extern "C" __attribute__((visibility("default"))) int pt2run_model_atexit(void (*destructor)(void*), void* object,
                                                                           void* dso_symbol) noexcept;
