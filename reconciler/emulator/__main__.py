"""`python -m reconciler.emulator [OPTIONS]`: the same as `reconciler emulator`."""

from reconciler.emulator.command import emulator

emulator(prog_name="reconciler emulator")
