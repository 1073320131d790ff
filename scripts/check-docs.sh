#!/usr/bin/env bash
# Checks the links of the repository's Markdown files (those git tracks or would track):
#   - a relative link must name a file or directory that exists, and an anchor (#section) into
#     a Markdown file must match one of its headings (GitHub's heading ids);
#   - no link may leave the repository: no path above the root, no absolute path, no file://
#     or other local scheme. http(s) and mailto links are not followed.
# Links inside code (fenced blocks, `spans`) are text, not links. Prints one line per broken
# link (file:line: the link and why) and exits 1 if there is any.
# Usage: scripts/check-docs.sh [ROOT]   (default: the repository root)
set -euo pipefail
root=$(realpath "${1:-$(dirname "$0")/..}")
cd "$root"
# shellcheck disable=SC2016  # the quoted text is a Python program, not shell
git ls-files -z --cached --others --exclude-standard -- '*.md' | python3 -c '
import os, re, sys

files = [f for f in sys.stdin.read().split("\0") if f]
FENCE = re.compile(r"^\s*(```|~~~)")
CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
INLINE = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)")
HTML = re.compile(r"<(?:a|img)\s[^>]*?(?:href|src)=\"([^\"]*)\"", re.I)
HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")


def prose_lines(path):
    """(line number, text) of the lines outside fenced code, with code spans removed."""
    fenced = False
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if FENCE.match(line):
                fenced = not fenced
                continue
            if not fenced:
                yield number, CODE_SPAN.sub("", line)


heading_ids = {}


def anchors(path):
    """GitHub heading ids: lower case, punctuation dropped, spaces to hyphens, -N for repeats."""
    if path not in heading_ids:
        ids = set()
        for _, line in prose_lines(path):
            m = HEADING.match(line)
            if m:
                slug = re.sub(r"[^\w\- ]", "", m.group(1).lower()).replace(" ", "-")
                n, unique = 0, slug
                while unique in ids:
                    n += 1
                    unique = f"{slug}-{n}"
                ids.add(unique)
        heading_ids[path] = ids
    return heading_ids[path]


def problem(source, target):
    """Why `target`, linked from `source`, is broken; None if it is fine."""
    scheme = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", target)
    if scheme:
        if scheme.group(1).lower() in ("http", "https", "mailto"):
            return None
        return "leaves the repository (" + scheme.group(1) + ": link)"
    path, _, anchor = target.partition("#")
    if path.startswith("/"):
        return "is an absolute path: use a path relative to the file"
    resolved = os.path.normpath(os.path.join(os.path.dirname(source), path)) if path else source
    if resolved == ".." or resolved.startswith("../"):
        return "leaves the repository (above its root)"
    if not os.path.exists(resolved):
        return "names a file that does not exist (" + resolved + ")"
    if anchor and resolved.endswith(".md") and anchor not in anchors(resolved):
        return "names a heading that " + resolved + " does not have"
    return None


broken = 0
for source in files:
    for number, line in prose_lines(source):
        targets = INLINE.findall(line) + REFERENCE.findall(line) + HTML.findall(line)
        for target in targets:
            why = problem(source, target) if target else "is empty"
            if why:
                print(f"{source}:{number}: link \"{target}\" {why}")
                broken += 1
print(f"check-docs: {len(files)} Markdown files, {broken} broken links", file=sys.stderr)
sys.exit(1 if broken else 0)
'
