"""A local Auth0 Management API v2 for hooks and Actions (`reconciler emulator`).

It knows no resource type: each registered type brings its routes and scopes through the
registry (``ResourceType.emulator``), so the emulator imports the seam and the registry of
`reconciler.resources` and nothing else of the tool. In-process use:

    from reconciler.emulator import start
    with start(port=0) as emu:
        print(emu.base_url, emu.client_id, emu.client_secret)
"""

from reconciler.emulator.options import EmulatorOptions
from reconciler.emulator.parts import all_scopes
from reconciler.emulator.server import RunningEmulator, start

__all__ = ["EmulatorOptions", "RunningEmulator", "all_scopes", "start"]
