"""``python -m softmax.bench``: see :mod:`softmax.bench.benchmark`."""

import sys

from .benchmark import main

sys.exit(main())
