from reconciler.plan import Action, Phase, Step
from reconciler.progress import progress_bar

STEP = Step(0, Action.CREATE, "h", "pre-user-registration", None, None, {}, (), Phase.PREPARE)


def test_quiet_when_not_a_terminal(capsys):
    with progress_bar(1, enabled=False) as on_step:
        on_step(STEP, "start")
        on_step(STEP, "done")
    assert capsys.readouterr().out == ""


def test_counts_steps_when_enabled(capsys):
    with progress_bar(2, enabled=True) as on_step:
        for event in ("start", "done", "start", "done"):
            on_step(STEP, event)
    out = capsys.readouterr().out
    assert "Applying" in out and "2/2" in out
