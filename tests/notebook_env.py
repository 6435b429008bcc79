"""Environment for notebook kernels, shared by `make execute` and the nbval run.

Both must see the same values, or nbval would compare unlike outputs.
"""

NOTEBOOK_ENV = {
    # Warnings printed from a cell name this instead of /tmp/ipykernel_<pid>/<hash>.py.
    "IPYKERNEL_CELL_NAME": "<cell>",
    # Hypothetical user settings must not change outputs.
    "PYTHONHASHSEED": "0",
}
