"""Run a hook or an action locally in Node.js, offline and deterministically.

``node`` finds the interpreter, ``samples`` holds a realistic event per trigger, ``execute``
runs one script in a confined temporary directory, and ``outcome`` turns what the script did
into effects that a hook and its translated action can be compared on.
"""
