"""What a plan says about keywords: their names, never their values.

``used``: the keywords the config refers to. ``added`` / ``removed``: against the config at a
base commit (a pull request's), so a reviewer sees the keywords merging will need before the
apply fails on one. ``template_digest`` (the config's files as written, keywords unreplaced)
and ``value_marks`` (one keyed HMAC per keyword value, only with RECONCILER_SECRETS_HMAC_KEY;
``key_mark`` tells which key made them) let ``apply FILE`` tell "the config changed" from
"the keyword values differ between the two environments" without a value or an unkeyed hash
of one ever reaching the file.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KeywordReport:
    used: tuple[str, ...] = ()
    added: tuple[str, ...] | None = None  # None: not compared with a base
    removed: tuple[str, ...] = ()
    template_digest: str | None = None
    key_mark: str | None = None
    value_marks: tuple[tuple[str, str], ...] = ()

    def against(self, base: tuple[str, ...]) -> KeywordReport:
        """This report, with what differs from the keywords a base config used."""
        return KeywordReport(
            self.used, tuple(k for k in self.used if k not in base), tuple(k for k in base if k not in self.used),
            self.template_digest, self.key_mark, self.value_marks,
        )


def differing_values(saved: KeywordReport | None, now: KeywordReport | None) -> str | None:
    """Why two plans' configs differ when the files are the same: the keyword values differ.
    None when the files differ (or either plan cannot say)."""
    if saved is None or now is None or saved.template_digest is None:
        return None
    if saved.template_digest != now.template_digest:
        return None
    if saved.key_mark and saved.key_mark == now.key_mark:
        theirs, ours = dict(saved.value_marks), dict(now.value_marks)
        names = sorted(k for k in set(theirs) | set(ours) if theirs.get(k) != ours.get(k))
        if names:
            return "keyword values differ between the plan's environment and this one: " + ", ".join(names)
    return (
        "keyword values differ between the plan's environment and this one (the config files are "
        "the same; set RECONCILER_SECRETS_HMAC_KEY, the same in both, to learn which)"
    )
