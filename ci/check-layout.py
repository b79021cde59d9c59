#!/usr/bin/env python3
"""Two checks of the repository's layout, run by ci/test.sh.

1. No module cycles in accubooks-service's library. Modules are layered:
   within every module, the graph of its child modules (an edge A -> B when
   code under A names a path under B) must be acyclic. A child naming its
   own parent's items, or a parent naming its children, is not an edge:
   only siblings (and, at the top, the crate's top-level modules) are
   ordered. Paths are read from `crate::`, `super::` and `self::`
   references (in `use` lines, brace groups included, and inline), with
   comments, strings and `#[cfg(test)]` modules left out.

2. ARCHITECTURE.md's codemap names every Rust source file of the
   repository: within the section of its top-level directory (`service/`,
   `sim/`, `stress/`), by its path below it (`src/engine/attempt.rs`,
   `fuzz/src/lib.rs`) or a brace group that expands to it
   (`src/store/sql/{mod,database}.rs`).

Exits non-zero with the cycles (and a reference of each edge) or the
missing files. `--graph` prints the top-level module edges.
"""

import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
LIB = ROOT / "service" / "src"
IDENT = r"[A-Za-z_][A-Za-z0-9_]*"


def module_of(path: pathlib.Path) -> tuple:
    rel = path.relative_to(LIB).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "mod":
        parts.pop()
    if parts == ["lib"]:
        parts = []
    return tuple(parts)


def strip_code(text: str) -> str:
    """Removes comments, string and char literals, and test modules."""
    # A test module is the file's tail from its #[cfg(test)] attribute.
    m = re.search(r"^#\[cfg\(test\)\]\s*\nmod \w+", text, re.M)
    if m:
        text = text[: m.start()]
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
        elif c == "r" and re.match(r'r#*"', text[i:]) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            hashes = re.match(r'r(#*)"', text[i:]).group(1)
            end = text.find('"' + hashes, i + 2 + len(hashes))
            out.append('""')
            i = n if end < 0 else end + 1 + len(hashes)
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append('""')
            i = j + 1
        elif c == "'" and re.match(r"'(\\.|[^\\'])'", text[i:]):
            i += len(re.match(r"'(\\.|[^\\'])'", text[i:]).group(0))
        else:
            out.append(c)
            i += 1
    return "".join(out)


def expand_use_groups(code: str):
    """Yields every path a `use` names, brace groups expanded."""
    for m in re.finditer(r"\buse\s+([^;]+);", code):
        yield from expand(re.sub(r"\s+", "", m.group(1)))


def expand(path: str):
    i = path.find("{")
    if i < 0:
        yield path.split(" as ")[0]
        return
    prefix, depth, parts, start, suffix = path[:i], 0, [], i + 1, ""
    for j in range(i, len(path)):
        if path[j] == "{":
            depth += 1
        elif path[j] == "}":
            depth -= 1
            if depth == 0:
                parts.append(path[start:j])
                suffix = path[j + 1 :]
                break
        elif path[j] == "," and depth == 1:
            parts.append(path[start:j])
            start = j + 1
    for p in parts:
        if p:
            yield from expand(prefix + p + suffix)


def resolve(path: str, here: tuple, modules: set):
    """The deepest module a `crate::`/`super::`/`self::` path names."""
    segs = path.replace(" ", "").split("::")
    if segs[0] == "crate":
        base, rest = (), segs[1:]
    elif segs[0] in ("super", "self"):
        base = here
        while segs and segs[0] in ("super", "self"):
            if segs[0] == "super":
                base = base[:-1]
            segs = segs[1:]
        rest = segs
    else:
        return None
    target = base
    for s in rest:
        if s == "*" or not re.fullmatch(IDENT, s):
            break
        if target + (s,) in modules:
            target = target + (s,)
        else:
            break
    return target


def module_edges():
    files = sorted(p for p in LIB.rglob("*.rs"))
    modules = {module_of(p) for p in files if p.name != "main.rs" and module_of(p)[:1] != ("cli",)}
    edges = {}
    for p in files:
        here = module_of(p)
        if here not in modules:
            continue  # the binary (main.rs, cli/) sits above the library
        code = strip_code(p.read_text())
        paths = set(expand_use_groups(code))
        paths |= {m.group(0) for m in re.finditer(rf"\b(?:crate|super|self)(?:::{IDENT})+", code)}
        for path in paths:
            target = resolve(path, here, modules)
            if target is None or target == here:
                continue
            edges.setdefault((here, target), []).append(f"{p.relative_to(ROOT)}: {path}")
    return modules, edges


def find_cycles(nodes, adj):
    """Strongly connected components with more than one node."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(adj.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return out


def check_cycles(print_graph: bool) -> list:
    modules, edges = module_edges()
    # Per parent module: edges between its children.
    layered = {}
    for (src, dst), refs in edges.items():
        k = 0
        while k < min(len(src), len(dst)) and src[k] == dst[k]:
            k += 1
        if k == len(src) or k == len(dst):
            continue  # an ancestor and its descendant
        parent = src[:k]
        a, b = src[: k + 1], dst[: k + 1]
        layered.setdefault(parent, {}).setdefault(a, {}).setdefault(b, refs[0])
    problems = []
    for parent in sorted(layered):
        adj = {a: set(bs) for a, bs in layered[parent].items()}
        nodes = set(adj) | {b for bs in adj.values() for b in bs}
        for comp in find_cycles(nodes, adj):
            names = ["::".join(c) for c in comp]
            lines = [f"module cycle under crate::{'::'.join(parent) or ''}: {' <-> '.join(names)}"]
            for a in comp:
                for b in comp:
                    if b in adj.get(a, ()):
                        lines.append(f"  {'::'.join(a)} -> {'::'.join(b)}   ({layered[parent][a][b]})")
            problems.append("\n".join(lines))
    if print_graph:
        for a, bs in sorted(layered.get((), {}).items()):
            print(f"{'::'.join(a)} -> {', '.join(sorted('::'.join(b) for b in bs))}")
    return problems


def check_codemap() -> list:
    text = (ROOT / "ARCHITECTURE.md").read_text()
    m = re.search(r"## Codemap\n.*?```\n(.*?)\n```", text, re.S)
    if not m:
        return ["ARCHITECTURE.md has no '## Codemap' block"]
    # A line at column 0 naming a directory (`sim/  …`) opens that crate's
    # section; paths on the indented lines below it are relative to it.
    named, section = set(), ""
    for line in m.group(1).splitlines():
        head = re.match(r"([\w.-]+/)\s", line + " ")
        if head and not line.startswith(" "):
            section = head.group(1)
        for token in re.findall(r"[\w./*-]*\{[^}\s]*\}[\w.]*|[\w./-]+\.rs", line):
            for path in expand(token):
                named.add(section + path if line.startswith(" ") else path)
    tracked = subprocess.run(["git", "ls-files", "*.rs"], cwd=ROOT, capture_output=True, text=True, check=True)
    return [f"codemap does not name {f}" for f in tracked.stdout.split() if f not in named]


def main():
    problems = check_cycles("--graph" in sys.argv) + check_codemap()
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        sys.exit(1)
    print("layout: no module cycles in accubooks-service; the codemap names every source file")


if __name__ == "__main__":
    main()
