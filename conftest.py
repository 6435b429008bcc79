"""Test-wide set-up, loaded for every pytest run in the repo (tests/ and notebooks/).

Notebook kernels started by nbval inherit this environment, the same one
`make execute` uses when it saves the outputs nbval compares against.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "tests"))

from notebook_env import NOTEBOOK_ENV

os.environ.update(NOTEBOOK_ENV)
