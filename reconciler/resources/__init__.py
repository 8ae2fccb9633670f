"""The resource types, one package each (``hooks``, ``actions``), the seam they plug into
(``base``: the registry and ``ResourceType``; ``blocks`` and ``checks``: render blocks and
plan-file checks), what they share (``common``) and the hooks-to-Actions cutover
(``cutover``, ``cutover_wiring``). See docs/architecture.md."""
