"""Resource types beyond hooks, one package each (issue #11's target layout)."""
