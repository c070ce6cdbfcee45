"""The bundled `moneykit` command-line tool (a wheel from `make wheel` carries it as
`moneykit_native/bin/moneykit`) and the `moneykit` console script."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import List, Optional

_HERE = Path(__file__).resolve().parent
_NAME = "moneykit.exe" if sys.platform == "win32" else "moneykit"


def cli_path() -> Optional[str]:
    """The CLI binary: `$MONEYKIT_CLI_BIN` when set, else the copy bundled in this package
    (wheels from `make wheel`), else None (a source install carries no CLI)."""
    env = os.environ.get("MONEYKIT_CLI_BIN")
    if env:
        return env
    bundled = _HERE / "bin" / _NAME
    return str(bundled) if bundled.is_file() else None


def main(argv: Optional[List[str]] = None) -> int:
    """`moneykit [ARGS...]`: replaces this process with the CLI binary."""
    args = sys.argv[1:] if argv is None else argv
    path = cli_path()
    if path is None:
        sys.stderr.write(
            "moneykit: this moneykit_native install has no bundled command-line tool (only the "
            "wheels built by `make wheel` carry it); set MONEYKIT_CLI_BIN to a moneykit "
            "binary (`make build` puts one in target/release/)\n"
        )
        return 127
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execv(path, [path, *args])
    except OSError as e:
        sys.stderr.write(f"moneykit: cannot run {path}: {e}\n")
        return 126
    return 0  # pragma: no cover - execv does not return


if __name__ == "__main__":  # python -m moneykit_native._cli
    sys.exit(main())
