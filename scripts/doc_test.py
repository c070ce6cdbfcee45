#!/usr/bin/env python3
"""Runs the code blocks the Markdown documents mark as runnable (`make doc-test`).

A block is runnable when the line right before its opening fence is the HTML comment

    <!-- doc-test -->                               compile (if needed) and run; exit 0 expected
    <!-- doc-test: expect="José Álvarez" -->        ... and stdout must contain this text
                                                    (expect= may be repeated)
    <!-- doc-test: skip a fragment, not a program -->   deliberately not run (reason required)

GitHub renders nothing for the comment. The fence's language picks the toolchain:

    c       $CC -std=c99 -Wall -Wextra -Werror -pedantic, -Iinclude, linked with
            target/release/libmoneykit.so (rpath), then run
    cpp     $CXX -std=c++17 (same flags), -Iinclude -Ibindings/cpp, same library
    python  this interpreter, PYTHONPATH=bindings/python/src (the in-tree package; it
            loads $MONEYKIT_NATIVE_LIB, default target/release/libmoneykit.so)
    go      a complete `package main` program, built in a temporary module whose go.mod
            `replace`s the binding with bindings/go (in-tree linking), then run

Every block runs against one sandbox started for the whole run by scripts/with-sandbox.sh,
which exports MONEYKIT_BASE_URL, MONEYKIT_CLIENT_ID and MONEYKIT_CLIENT_SECRET: snippets take
their credentials from the environment and use magic link ids (`mk_sandbox_ok`), exactly
as a reader running them under scripts/with-sandbox.sh would. Artifacts go to
build/doc-test/ (kept for a failed block). Nothing is built here: `make build` first.

Checks besides running the blocks:
  - in a section whose heading says "Quickstart" or "Other languages", every C, C++,
    Python or Go block must be marked (run or skip), so a new quickstart snippet cannot
    go untested by omission;
  - each of REQUIRED_FILES holds at least one runnable block;
  - every `libmoneykit.so.N[.M...]` a document names with this version's numbers is a file
    that exists: the soname (`objdump -p`) or libmoneykit.so.<version>.

Failures name the document's file:line (compiler messages are mapped back to it too).

    python3 scripts/doc_test.py [FILE.md ...]   # default: every tracked *.md
    python3 scripts/doc_test.py --list          # the marked blocks, nothing run
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RELEASE = ROOT / "target" / "release"
OUT = ROOT / "build" / "doc-test"
GO_MODULE = "github.com/moneykit-native/moneykit-native/bindings/go"
REQUIRED_FILES = ["README.md", "bindings/python/README.md", "bindings/go/README.md", "bindings/cpp/README.md"]
LANGS = {"c": "c", "cpp": "cpp", "c++": "cpp", "cxx": "cpp", "python": "python", "py": "python", "go": "go"}
MUST_MARK_SECTIONS = re.compile(r"quickstart|other languages", re.I)
MARK = re.compile(r"^\s*<!--\s*doc-test(?::\s*(?P<args>.*?))?\s*-->\s*$")
FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
TIMEOUT_S = 120


@dataclass
class Block:
    path: str  # relative to ROOT
    line: int  # 1-based line of the opening fence
    lang: str  # key of LANGS' values, or the raw info word for unmarked blocks
    code: str
    section: str
    marked: bool = False
    skip: str | None = None
    expect: list[str] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"

    @property
    def stem(self) -> str:
        return re.sub(r"[^A-Za-z0-9]+", "_", self.path).strip("_") + f"_L{self.line}"


class DocError(Exception):
    pass


def parse_mark(args: str | None, where: str) -> tuple[str | None, list[str]]:
    """(skip reason or None, expected stdout texts) of a marker's arguments."""
    args = (args or "").strip()
    if not args:
        return None, []
    if args == "skip" or args.startswith("skip "):
        reason = args[4:].strip()
        if not reason:
            raise DocError(f"{where}: `doc-test: skip` needs a reason")
        return reason, []
    expect: list[str] = []
    rest = args
    for m in re.finditer(r'\s*expect="((?:[^"\\]|\\.)*)"\s*', args):
        expect.append(re.sub(r"\\(.)", r"\1", m.group(1)))
        rest = rest.replace(m.group(0), " ", 1)
    if rest.strip():
        raise DocError(f"{where}: unknown doc-test arguments: {rest.strip()!r} "
                       '(known: expect="...", skip REASON)')
    return None, expect


def parse(path: str) -> list[Block]:
    """Every fenced block of a Markdown file, with its marker (if any) and section."""
    lines = (ROOT / path).read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    section = ""
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            h = HEADING.match(lines[i])
            if h:
                section = h.group(2)
            elif MARK.match(lines[i]) and not (i + 1 < len(lines) and FENCE.match(lines[i + 1])):
                raise DocError(f"{path}:{i + 1}: a doc-test marker must be the line right before a code fence")
            i += 1
            continue
        fence, info = m.group("fence"), m.group("info").strip()
        start = i
        body: list[str] = []
        i += 1
        while i < len(lines):
            close = FENCE.match(lines[i])
            if close and close.group("fence")[0] == fence[0] and len(close.group("fence")) >= len(fence) \
                    and not close.group("info").strip():
                break
            body.append(lines[i])
            i += 1
        else:
            raise DocError(f"{path}:{start + 1}: code fence never closed")
        word = info.split()[0].lower() if info else ""
        block = Block(path, start + 1, LANGS.get(word, word), "\n".join(body) + "\n", section)
        mark = MARK.match(lines[start - 1]) if start > 0 else None
        if mark:
            if word not in LANGS:
                raise DocError(f"{block.where}: doc-test marks a {word or 'plain'!r} block; "
                               f"runnable languages: {', '.join(sorted(LANGS))}")
            block.marked = True
            block.skip, block.expect = parse_mark(mark.group("args"), block.where)
        blocks.append(block)
        i += 1
    return blocks


def lint(files: list[str], blocks: list[Block]) -> list[str]:
    problems = []
    for b in blocks:
        if b.lang in LANGS.values() and not b.marked and MUST_MARK_SECTIONS.search(b.section):
            problems.append(f"{b.where}: a {b.lang} block in section {b.section!r} is not marked: "
                            "add <!-- doc-test --> (or <!-- doc-test: skip REASON -->) before its fence")
    for f in REQUIRED_FILES:
        if f in files and not any(b.path == f and b.marked and not b.skip for b in blocks):
            problems.append(f"{f}: no runnable <!-- doc-test --> block (its quickstart must be one)")
    problems += check_library_names(files)
    return problems


def version() -> str:
    m = re.search(r'^#define MK_VERSION "([^"]+)"', (ROOT / "include/moneykit.h").read_text(), re.M)
    if not m:
        raise DocError("include/moneykit.h: no MK_VERSION")
    return m.group(1)


def soname(ver: str) -> str:
    try:
        out = subprocess.run(["objdump", "-p", str(RELEASE / "libmoneykit.so")], capture_output=True,
                             text=True, check=True).stdout
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] == "SONAME":
                return parts[1]
    except (OSError, subprocess.CalledProcessError):
        pass
    # README "Versions and ABI": 0.MINOR before 1.0, else MAJOR.
    major, minor = ver.split(".")[:2]
    return f"libmoneykit.so.{major}.{minor}" if major == "0" else f"libmoneykit.so.{major}"


def check_library_names(files: list[str]) -> list[str]:
    """A name with this version's numbers (libmoneykit.so.0, .so.0.1, .so.0.1.0 for 0.1.0) must be
    one that exists; other versions' names (.so.0.2, .so.1) describe other releases."""
    ver = version()
    nums = ver.split("-")[0].split(".")
    this_version = {".".join(nums[:k]) for k in range(1, len(nums) + 1)}
    real = {soname(ver), f"libmoneykit.so.{ver}"}
    problems = []
    for f in files:
        if Path(f).name == "CHANGELOG.md":  # history may name what once was
            continue
        for n, line in enumerate((ROOT / f).read_text(encoding="utf-8").splitlines(), 1):
            # (Not a placeholder such as libmoneykit.so.0.MINOR or libmoneykit.so.<version>.)
            for m in re.finditer(r"libmoneykit\.so\.([0-9]+(?:\.[0-9]+)*)(?!\.?[A-Za-z<])", line):
                name = m.group(0)
                if m.group(1) in this_version and name not in real:
                    problems.append(f"{f}:{n}: names {name}, which no build or install of {ver} creates "
                                    f"(they make {' and '.join(sorted(real))})")
    return problems


def map_lines(text: str, src: Path, block: Block) -> str:
    """Compiler messages about the extracted file, pointed at the document's lines."""
    def sub(m: re.Match[str]) -> str:
        return f"{block.path}:{block.line + int(m.group(1))}"

    def sub_py(m: re.Match[str]) -> str:  # a Python traceback's frame
        return f'File "{block.path}", line {block.line + int(m.group(1))}'
    text = re.sub(r'File "' + re.escape(str(src)) + r'", line (\d+)', sub_py, text)
    return re.sub(re.escape(str(src)) + r":(\d+)", sub, text).replace(str(src), block.path)


@dataclass
class Result:
    block: Block
    ok: bool
    seconds: float
    detail: str = ""


def run(cmd: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S, **kw)  # type: ignore[call-overload, no-any-return]


def execute(block: Block, argv: list[str], env: dict[str, str] | None = None) -> tuple[bool, str]:
    try:
        p = run(argv, env=env, cwd=OUT)
    except subprocess.TimeoutExpired:
        return False, f"did not finish within {TIMEOUT_S} s"
    out = f"--- stdout ---\n{p.stdout}--- stderr ---\n{p.stderr}"
    if p.returncode != 0:
        return False, f"exited with status {p.returncode}\n{out}"
    missing = [e for e in block.expect if e not in p.stdout]
    if missing:
        return False, f"stdout lacks {missing!r}\n{out}"
    return True, ""


def run_native(block: Block) -> Result:
    t0 = time.monotonic()
    ext, compiler, std = (".c", os.environ.get("CC", "cc"), "-std=c99") if block.lang == "c" else \
        (".cpp", os.environ.get("CXX", "c++"), "-std=c++17")
    src = OUT / (block.stem + ext)
    exe = OUT / block.stem
    src.write_text(block.code, encoding="utf-8")
    cmd = [compiler, std, "-Wall", "-Wextra", "-Werror", "-pedantic", f"-I{ROOT / 'include'}"]
    if block.lang == "cpp":
        cmd.append(f"-I{ROOT / 'bindings/cpp'}")
    cmd += [str(src), f"-L{RELEASE}", "-lmoneykit", f"-Wl,-rpath,{RELEASE}", "-o", str(exe)]
    try:
        p = run(cmd)
    except subprocess.TimeoutExpired:
        return Result(block, False, time.monotonic() - t0, "the compiler did not finish")
    if p.returncode != 0:
        return Result(block, False, time.monotonic() - t0,
                      f"does not compile: {shlex.join(cmd)}\n" + map_lines(p.stdout + p.stderr, src, block))
    ok, detail = execute(block, [str(exe)])
    return Result(block, ok, time.monotonic() - t0, detail)


def run_python(block: Block) -> Result:
    t0 = time.monotonic()
    src = OUT / (block.stem + ".py")
    src.write_text(block.code, encoding="utf-8")
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "bindings/python/src") + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.setdefault("MONEYKIT_NATIVE_LIB", str(RELEASE / "libmoneykit.so"))
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    ok, detail = execute(block, [sys.executable, str(src)], env)
    return Result(block, ok, time.monotonic() - t0, map_lines(detail, src, block) if detail else "")


def run_go(blocks: list[Block]) -> list[Result]:
    """All Go blocks in one temporary module (one `go build` for all of them), then each run."""
    t0 = time.monotonic()
    mod = OUT / "go"
    shutil.rmtree(mod, ignore_errors=True)
    mod.mkdir(parents=True)
    (mod / "go.mod").write_text(
        "module doctest\n\ngo 1.22\n\n"
        f"require {GO_MODULE} v0.0.0\n\n"
        f"replace {GO_MODULE} => {ROOT / 'bindings/go'}\n", encoding="utf-8")
    srcs = {}
    results = [Result(b, False, 0.0, "a Go doc-test block must be a complete program (package main)")
               for b in blocks if not re.search(r"^package main\b", b.code, re.M)]
    blocks = [b for b in blocks if re.search(r"^package main\b", b.code, re.M)]
    if not blocks:
        return results
    for b in blocks:
        d = mod / b.stem
        d.mkdir()
        (d / "main.go").write_text(b.code, encoding="utf-8")
        srcs[b.stem] = d / "main.go"
    # A reader's editor runs gofmt: a block that gofmt would change is a stale copy.
    p = run(["gofmt", "-l", *[str(srcs[b.stem]) for b in blocks]])
    unformatted = {b.stem for b in blocks if str(srcs[b.stem]) in p.stdout.split()}
    results += [Result(b, False, 0.0, f"not gofmt-clean:\n{run(['gofmt', '-d', str(srcs[b.stem])]).stdout}")
                for b in blocks if b.stem in unformatted]
    blocks = [b for b in blocks if b.stem not in unformatted]
    if not blocks:
        return results
    env = dict(os.environ, CGO_ENABLED="1", GOFLAGS="-mod=mod", GOWORK="off")
    (mod / "bin").mkdir()
    try:
        p = run(["go", "build", "-o", str(mod / "bin") + "/", "./..."], cwd=mod, env=env)
    except subprocess.TimeoutExpired:
        return [Result(b, False, time.monotonic() - t0, "go build did not finish") for b in blocks]
    if p.returncode != 0:
        text = p.stdout + p.stderr
        for b in blocks:
            text = map_lines(text, srcs[b.stem], b)
            text = re.sub(rf"\./{b.stem}/main\.go:(\d+)", lambda m, b=b: f"{b.path}:{b.line + int(m.group(1))}", text)
        return results + [Result(b, False, time.monotonic() - t0, "go build failed:\n" + text) for b in blocks]
    build_s = (time.monotonic() - t0) / len(blocks)
    for b in blocks:
        t1 = time.monotonic()
        ok, detail = execute(b, [str(mod / "bin" / b.stem)])
        results.append(Result(b, ok, build_s + time.monotonic() - t1, detail))
    return results


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="*", help="Markdown files relative to the repository (default: every tracked *.md)")
    ap.add_argument("--list", action="store_true", help="list the marked blocks and run nothing")
    ap.add_argument("--jobs", type=int, default=int(os.environ.get("MK_JOBS", "2")))
    args = ap.parse_args()

    if args.files:
        files = [os.path.relpath(Path(f).resolve(), ROOT) for f in args.files]
    else:
        out = subprocess.run(["git", "ls-files", "*.md"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
        files = sorted(f for f in out.splitlines() if (ROOT / f).is_file())
    try:
        blocks = [b for f in files for b in parse(f)]
        problems = lint(files, blocks)
    except DocError as e:
        print(f"doc-test: {e}", file=sys.stderr)
        return 1
    marked = [b for b in blocks if b.marked]
    if args.list:
        for p in problems:
            print(f"doc-test: {p}", file=sys.stderr)
        for b in marked:
            print(f"{b.where}\t{b.lang}\t" + (f"skip: {b.skip}" if b.skip else f"run{' expect ' + repr(b.expect) if b.expect else ''}"))
        return 1 if problems else 0
    runnable = [b for b in marked if not b.skip]
    if not runnable:
        for p in problems:
            print(f"doc-test: {p}", file=sys.stderr)
        print("doc-test: no marked blocks to run")
        return 1 if problems else 0
    # One sandbox for the whole run: re-run this script under scripts/with-sandbox.sh.
    if os.environ.get("MK_DOC_TEST_SANDBOX") != "1":
        env = dict(os.environ, MK_DOC_TEST_SANDBOX="1")
        return subprocess.run(["bash", str(ROOT / "scripts/with-sandbox.sh"), sys.executable, __file__, *sys.argv[1:]],
                              env=env).returncode
    for f in [RELEASE / "libmoneykit.so", ROOT / "include/moneykit.h"]:
        if not f.exists():
            print(f"doc-test: {f} is missing (run: make build)", file=sys.stderr)
            return 1
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)

    t0 = time.monotonic()
    results: list[Result] = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = []
        go = [b for b in runnable if b.lang == "go"]
        if go:
            futures.append(pool.submit(run_go, go))
        for b in runnable:
            if b.lang in ("c", "cpp"):
                futures.append(pool.submit(lambda b=b: [run_native(b)]))
            elif b.lang == "python":
                futures.append(pool.submit(lambda b=b: [run_python(b)]))
        for fut in futures:
            results += fut.result()
    results.sort(key=lambda r: (files.index(r.block.path), r.block.line))
    failed = [r for r in results if not r.ok]
    for p in problems:  # the lint's findings, after the blocks ran (both fail the run)
        print(f"doc-test: {p}", file=sys.stderr)
    for r in results:
        print(f"{'ok  ' if r.ok else 'FAIL'} {r.block.where} {r.block.lang} ({r.seconds:.1f} s)")
    for r in failed:
        print(f"\ndoc-test: {r.block.where}: the {r.block.lang} block failed: {r.detail}", file=sys.stderr)
    skipped = len(marked) - len(runnable)
    print(f"doc-test: {len(results) - len(failed)} of {len(results)} blocks passed"
          f"{f', {skipped} marked skip' if skipped else ''}{f', {len(problems)} lint problems' if problems else ''}"
          f" in {time.monotonic() - t0:.1f} s")
    if not failed:
        shutil.rmtree(OUT, ignore_errors=True)
    return 1 if failed or problems else 0


if __name__ == "__main__":
    sys.exit(main())
