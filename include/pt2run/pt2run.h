#pragma once

// Umbrella header: everything a user of pt2run needs.
#include "pt2run/cpu.h"
#include "pt2run/device.h"
#include "pt2run/dlpack.h"
#include "pt2run/custom_ops.h"
#include "pt2run/dtype.h"
#include "pt2run/error.h"
#include "pt2run/inspect.h"
#include "pt2run/package_loader.h"
#include "pt2run/profile.h"
#include "pt2run/random.h"
#include "pt2run/runner.h"
#include "pt2run/tensor.h"
#include "pt2run/tensor_file.h"
#include "pt2run/threading.h"
#include "pt2run/version.h"
