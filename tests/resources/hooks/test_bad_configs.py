"""The hooks' bad configs (``bad_configs/`` here, and the generated symlink, size and binary
cases) fail `reconciler validate` cleanly: exit 1, the file and field named, no traceback,
no secret value echoed. The corpus and its runner: ``tests/bad_config_corpus.py``."""

from __future__ import annotations

from tests.bad_config_corpus import corpus_tests

test_the_corpus_is_there, test_validate_rejects, test_check_reports_without_raising = corpus_tests("hooks", minimum=60)
