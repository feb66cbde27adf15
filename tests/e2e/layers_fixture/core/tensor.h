#pragma once
// A lower layer reaching up: check_layers.py must refuse it.
#include "ops/executor.h"
