"""An environment for a Jupyter server under test: every Jupyter/IPython folder, HOME and TMPDIR
inside one test folder, so a run reads no user settings and leaves nothing behind."""

from __future__ import annotations

import os
from pathlib import Path

_KEPT = ("PATH", "LANG", "LC_ALL", "VIRTUAL_ENV", "PYTHONPATH")


def isolated_jupyter_env(root: Path) -> dict[str, str]:
    """Private HOME, TMPDIR, Jupyter config/data/runtime, IPython and Lab settings under `root`."""
    dirs = {
        "HOME": root / "home",
        "TMPDIR": root / "tmp",
        "JUPYTER_CONFIG_DIR": root / "jupyter-config",
        "JUPYTER_DATA_DIR": root / "jupyter-data",
        "JUPYTER_RUNTIME_DIR": root / "jupyter-runtime",
        "IPYTHONDIR": root / "ipython",
        "JUPYTERLAB_WORKSPACES_DIR": root / "lab-workspaces",
        "JUPYTERLAB_SETTINGS_DIR": root / "jupyter-config" / "lab" / "user-settings",
    }
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k in _KEPT}
    env.update({k: str(v) for k, v in dirs.items()})
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    env["PYTHONUNBUFFERED"] = "1"
    return env
