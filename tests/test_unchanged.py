"""The record of the crop-yield exercise's results from before its move (`recorded`): it holds
every gallery and hostile entry, as a `.py` file and as its notebook twin, and forgives only
float32's rounding. test_pool and test_pool_hostile grade every one of those files and compare
it with the record, byte for byte."""

import json

from gallery import GALLERY
from hostile import HOSTILE
from lies import LIES
from recorded import RECORDED, TEXTS, files, same


def test_every_entry_was_recorded():
    assert set(TEXTS) == set(RECORDED)
    recorded = {key for entry in [*GALLERY, *HOSTILE] for key in files(entry)}
    left_out = {"read_reference_unguarded.py", "read_reference_unguarded.ipynb",  # added after
                *(key for entry in LIES for key in files(entry)),  # the move
                *(key for entry in HOSTILE if entry.name.startswith("forged_case_")
                  for key in files(entry))}
    assert recorded - left_out == set(RECORDED)


def test_only_float32_rounding_is_forgiven():
    key = "reference.py"
    recorded = json.loads(TEXTS[key])
    curve = recorded["extra_data"]["loss_curve"]["student"]
    rounded = json.loads(TEXTS[key])
    rounded["extra_data"]["loss_curve"]["student"] = [v * (1 + 3e-7) for v in curve]
    assert same(json.dumps(rounded, indent=2) + "\n", key)
    for change in ({"score": recorded["score"] - 5},
                   {"tests": [{**recorded["tests"][0], "output": "Incorrect."},
                              *recorded["tests"][1:]]},
                   {"extra_data": {**recorded["extra_data"], "status": "grader error"}}):
        assert not same(json.dumps({**recorded, **change}, indent=2) + "\n", key), change
    wrong = json.loads(TEXTS[key])
    wrong["extra_data"]["loss_curve"]["student"][50] *= 1.001
    assert not same(json.dumps(wrong, indent=2) + "\n", key)
