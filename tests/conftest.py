"""Test-wide set-up: notebook kernels started by nbval inherit this environment."""

import os

from notebook_env import NOTEBOOK_ENV

os.environ.update(NOTEBOOK_ENV)
