"""Copies a benchmark report (tools/benchmark.py's report.md and its two plots) into
docs/performance.md, between the section's markers, and docs/img/.

Usage: python tools/update_performance_doc.py cpu|cuda REPORT_DIR
(scripts/bench.sh --update-docs does the CPU one; the CUDA report comes back from the device
call of scripts/bench_cuda_device.sh.)
"""
import os
import re
import shutil
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    section, report_dir = sys.argv[1], sys.argv[2]
    img = os.path.join(ROOT, "docs", "img")
    os.makedirs(img, exist_ok=True)
    report = open(os.path.join(report_dir, "report.md")).read()
    for plot in ("latency", "throughput"):
        shutil.copy(os.path.join(report_dir, f"{plot}.png"), os.path.join(img, f"{section}-{plot}.png"))
        report = report.replace(f"({plot}.png)", f"(img/{section}-{plot}.png)")
    path = os.path.join(ROOT, "docs", "performance.md")
    doc = open(path).read()
    start = f"<!-- {section} report: "
    begin = re.search(re.escape(start) + r".*?-->", doc)
    end = f"<!-- end {section} report -->"
    if not begin or end not in doc:
        sys.exit(f"docs/performance.md has no '{start}...-->' / '{end}' markers")
    doc = doc[:begin.end()] + "\n" + report + doc[doc.index(end):]
    with open(path, "w") as f:
        f.write(doc)


if __name__ == "__main__":
    main()
