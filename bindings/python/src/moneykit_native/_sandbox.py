"""The bundled `moneykit-sandbox` (a wheel from `make wheel` carries it as
`moneykit_native/bin/moneykit-sandbox`) and the `moneykit-sandbox` console script."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import List, Optional

_HERE = Path(__file__).resolve().parent
_NAME = "moneykit-sandbox.exe" if sys.platform == "win32" else "moneykit-sandbox"


def sandbox_path() -> Optional[str]:
    """The sandbox binary: `$MONEYKIT_SANDBOX_BIN` when set, else the copy bundled in this
    package (wheels from `make wheel`), else None (a source install carries no sandbox)."""
    env = os.environ.get("MONEYKIT_SANDBOX_BIN")
    if env:
        return env
    bundled = _HERE / "bin" / _NAME
    return str(bundled) if bundled.is_file() else None


def main(argv: Optional[List[str]] = None) -> int:
    """`moneykit-sandbox [ARGS...]`: replaces this process with the sandbox binary."""
    args = sys.argv[1:] if argv is None else argv
    path = sandbox_path()
    if path is None:
        sys.stderr.write(
            "moneykit-sandbox: this moneykit_native install has no bundled sandbox (only the "
            "wheels built by `make wheel` carry it); set MONEYKIT_SANDBOX_BIN to a "
            "moneykit-sandbox binary (`make build` puts one in target/release/)\n"
        )
        return 127
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execv(path, [path, *args])
    except OSError as e:
        sys.stderr.write(f"moneykit-sandbox: cannot run {path}: {e}\n")
        return 126
    return 0  # pragma: no cover - execv does not return


if __name__ == "__main__":  # python -m moneykit_native._sandbox
    sys.exit(main())
