"""A local Auth0 Management API v2 for hooks and Actions (`reconciler emulator`).

Self-contained: nothing here imports the rest of `reconciler`, and the reconciler only
imports this package to register the CLI command. In-process use:

    from reconciler.emulator import start
    with start(port=0) as emu:
        print(emu.base_url, emu.client_id, emu.client_secret)
"""

from reconciler.emulator.options import ALL_SCOPES, EmulatorOptions
from reconciler.emulator.server import RunningEmulator, start

__all__ = ["ALL_SCOPES", "EmulatorOptions", "RunningEmulator", "start"]
