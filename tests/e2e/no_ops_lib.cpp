// A shared library that loads but registers no custom op: `--custom-ops` must say so.
extern "C" int pt2run_test_no_ops_marker() { return 0; }
