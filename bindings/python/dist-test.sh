#!/usr/bin/env bash
# `make dist-test-python`: the wheel from `make wheel` used as a Python user would, on a
# machine without Rust or a C compiler. A fresh venv gets the wheel (pip, --no-index: no
# dependency, nothing built); then, with a PATH of that venv's bin/ alone (checked: no
# cargo, rustc, cc, gcc, clang) and an environment with no MONEYKIT_* or PYTHONPATH, the
# `moneykit-sandbox` console script starts the bundled sandbox, the `moneykit` console script
# runs the bundled CLI against it, and the installed package calls it (Client, AsyncClient,
# match_owners).
#
#   bash bindings/python/dist-test.sh [WHEEL]   # default: the one in bindings/python/dist/
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
wheel=${1:-$(ls "$here"/dist/moneykit_native-*-manylinux*.whl 2>/dev/null | head -n1)}
[ -n "$wheel" ] && [ -f "$wheel" ] || { echo "dist-test.sh: no wheel (run: make wheel)" >&2; exit 1; }
python=${PYTHON:-python3}

tmp=$(mktemp -d)
sandbox_pid=
cleanup() {
  if [ -n "$sandbox_pid" ]; then kill "$sandbox_pid" 2>/dev/null || true; wait "$sandbox_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

echo "== fresh venv, pip install $(basename "$wheel")"
"$python" -m venv "$tmp/venv"
venv_bin=$tmp/venv/bin
# The user's environment: nothing of the checkout's, and a PATH of the venv alone.
run() {
  env -i HOME="$tmp" LANG=C.UTF-8 PATH="$venv_bin" "$@"
}
run python -m pip install -q --no-index --disable-pip-version-check "$wheel"
for tool in cargo rustc cc gcc clang c++; do
  if run /bin/sh -c "command -v $tool" >/dev/null 2>&1; then
    echo "dist-test.sh: $tool is on the test PATH ($venv_bin)" >&2; exit 1
  fi
done
echo "PATH=$venv_bin: no cargo, rustc or C compiler"

echo "== moneykit-sandbox (console script) --addr 127.0.0.1:0"
cd "$tmp"
# Not through run(): $! must be the pid that env, the script and then the sandbox become.
env -i HOME="$tmp" LANG=C.UTF-8 PATH="$venv_bin" moneykit-sandbox --addr 127.0.0.1:0 \
  >"$tmp/sandbox.out" 2>"$tmp/sandbox.err" &
sandbox_pid=$!
url=
for _ in $(seq 1 200); do
  line=$(head -n1 "$tmp/sandbox.out" 2>/dev/null || true)
  case "$line" in "listening on "*) url=${line#listening on }; break ;; esac
  kill -0 "$sandbox_pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$url" ] || { echo "dist-test.sh: the sandbox did not start: $(cat "$tmp/sandbox.out" "$tmp/sandbox.err")" >&2; exit 1; }
# The console script exec'd the bundled binary: same process, now the sandbox itself.
exe=$(readlink "/proc/$sandbox_pid/exe")
case "$exe" in
  "$tmp"/venv/lib/python3*/site-packages/moneykit_native/bin/moneykit-sandbox) ;;
  *) echo "dist-test.sh: the sandbox process runs $exe, not the bundled binary" >&2; exit 1 ;;
esac
echo "sandbox at $url (pid $sandbox_pid, $exe): $(run moneykit-sandbox --version)"

echo "== moneykit (console script): the bundled CLI against it"
case "$(run moneykit --version)" in "moneykit "*) ;; *) echo "dist-test.sh: moneykit --version" >&2; exit 1 ;; esac
cli=$(run python -c 'from moneykit_native._cli import cli_path; print(cli_path())')
case "$cli" in
  "$tmp"/venv/lib/python3*/site-packages/moneykit_native/bin/moneykit) ;;
  *) echo "dist-test.sh: the console script runs $cli, not the bundled CLI" >&2; exit 1 ;;
esac
printf 'MONEYKIT_CLIENT_ID=sandbox-client\nMONEYKIT_CLIENT_SECRET=sandbox-secret\n' |
  run moneykit --base-url "$url" --credentials-file - identity mk_sandbox_ok >"$tmp/identity.json"
grep -q '"accounts"' "$tmp/identity.json" || { echo "dist-test.sh: moneykit identity printed no identity" >&2; exit 1; }
echo "moneykit (CLI) at $cli: $(run moneykit --version), identity of mk_sandbox_ok fetched"

echo "== the installed package against it"
run python - "$url" "$tmp" <<'PY'
import asyncio, os, sys
import moneykit_native as mk

url, root = sys.argv[1], sys.argv[2]
site = os.path.join(root, "venv", "lib")
assert mk.library_path().startswith(site) and mk.library_path().endswith("moneykit_native/libmoneykit.so"), mk.library_path()
assert (mk.sandbox_path() or "").startswith(site), mk.sandbox_path()
assert mk.__file__.startswith(site), mk.__file__
opts = dict(access_token="sandbox-access-token", base_url=url, max_retries=0)
with mk.Client(**opts) as c:
    ident = c.get_identity("mk_sandbox_ok")
    assert len(ident.accounts) == 2, ident
    m = c.match_owners("mk_sandbox_ok", name="ALVAREZ, Jose")
    assert m.best is not None and m.best.name is not None and m.best.name.score == 100, m
    try:
        c.get_identity("mk_sandbox_forbidden")
        raise AssertionError("no ForbiddenError")
    except mk.ForbiddenError:
        pass

async def main() -> None:
    async with mk.AsyncClient(**opts) as ac:
        got = await asyncio.gather(*(ac.get_identity("mk_sandbox_ok") for _ in range(8)))
        assert all(g == ident for g in got)
        task = asyncio.create_task(ac.get_identity("mk_fault_silent"))
        await asyncio.sleep(0.2)
        task.cancel()
        try:
            await task
            raise AssertionError("not cancelled")
        except asyncio.CancelledError:
            pass

asyncio.run(main())
print("ok: moneykit_native", mk.__version__, "library", mk.library_version(), "at", mk.library_path())
PY
echo "dist-test.sh: the wheel works without cargo or a compiler"
