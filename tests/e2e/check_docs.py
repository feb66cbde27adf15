#!/usr/bin/env python3
"""Checks that the project's Markdown renders as written: every table row sits in a table
(a header, its |---| separator, rows with as many cells), code fences close, and every
relative link points at a file or folder that exists (and an #anchor at a heading there).

Usage: check_docs.py ROOT   (ROOT/README.md and ROOT/docs/*.md; exit 1 listing each problem)
"""
import glob
import os
import re
import sys


def cells(line):
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") and not body.endswith("\\|") else body
    # Pipes inside `code` or escaped do not split cells.
    body = re.sub(r"`[^`]*`", "code", body.replace("\\|", ""))
    return len(body.split("|"))


def anchor(heading):
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(path):
    out, fenced = set(), False
    for line in open(path, encoding="utf-8"):
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and line.startswith("#"):
            out.add(anchor(line.lstrip("#")))
    return out


def check(path, problems):
    lines = open(path, encoding="utf-8").read().split("\n")
    fenced, table = False, None
    for n, line in enumerate(lines, 1):
        where = f"{os.path.relpath(path)}:{n}"
        if line.startswith("```"):
            fenced = not fenced
            table = None
            continue
        if fenced:
            continue
        if line.lstrip().startswith("|"):
            if table is None:
                following = lines[n] if n < len(lines) else ""
                if not re.match(r"^\s*\|?\s*:?-{3,}", following):
                    problems.append(f"{where}: a table row outside a table (no header and |---| line)")
                    continue
                table = cells(line)
            elif cells(line) != table:
                problems.append(f"{where}: {cells(line)} cells in a table of {table}")
        else:
            table = None
        for target in re.findall(r"\]\(([^)\s]+)\)", re.sub(r"`[^`]*`", "", line)):
            if re.match(r"^[a-z]+:", target):
                continue  # http:, https:, mailto:
            file, _, frag = target.partition("#")
            resolved = os.path.normpath(os.path.join(os.path.dirname(path), file)) if file else path
            if not os.path.exists(resolved):
                problems.append(f"{where}: link to {target}: no such file")
            elif frag and resolved.endswith(".md") and frag not in anchors(resolved):
                problems.append(f"{where}: link to {target}: no such heading")
    if fenced:
        problems.append(f"{os.path.relpath(path)}: a code fence is not closed")


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    problems = []
    for path in [os.path.join(root, "README.md")] + sorted(glob.glob(os.path.join(root, "docs", "*.md"))):
        check(path, problems)
    if problems:
        print("\n".join(problems))
        sys.exit(1)
    print("docs ok")


if __name__ == "__main__":
    main()
