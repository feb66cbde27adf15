"""pt2run's exceptions: one class per pt2run::ErrorCode, all subclasses of pt2run.Error.
The message says what is wrong and what to do, as in C++."""
from . import _core


class Error(Exception):
    """Any error pt2run reports. `code` names the ErrorCode."""

    code = "Internal"


_BASES = {"InvalidArgument": ValueError, "ShapeMismatch": ValueError, "DTypeMismatch": TypeError,
          "DeviceMismatch": ValueError, "NotFound": FileNotFoundError, "OutOfMemory": MemoryError,
          "Io": OSError, "Timeout": TimeoutError, "NotImplemented": NotImplementedError}

_CLASSES = {}
for _code in _core._error_codes():
    _CLASSES[_code] = type(_code, (Error, _BASES.get(_code, RuntimeError)),
                           {"code": _code, "__module__": "pt2run.errors",
                            "__doc__": f"pt2run::ErrorCode::{_code}"})
    globals()[_code] = _CLASSES[_code]
_core._set_error_classes(_CLASSES)

__all__ = ["Error", *_CLASSES]
