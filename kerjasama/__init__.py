"""kerjasama: cited answers on Indonesian law of regional governments' international cooperation.

Nothing heavy is imported here: models and indexes load lazily when first used.
"""

import os

__version__ = "0.1.0"

# The bundled embedder computes with OpenMP. OpenMP's default wait policy spins on idle cores; when anything else
# runs beside it (a web server's other requests, a second process, CI), a 20 ms question embedding took 1.7 s on
# 2 cores (measured with `bench/query.py` beside a busy process). Passive waiting keeps it at ~20 ms and costs
# nothing measurable when the machine is idle. It must be set before the OpenMP runtime loads; a value set by
# the user wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
