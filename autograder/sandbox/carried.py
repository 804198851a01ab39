"""Plain data in marshal, between two of the grader's own processes: a job's pipe to its child
(read before any of the submission's code runs) and the reference's observer's two pipes.

Marshal reads and writes plain data several times faster than JSON (a job's cases, some
thousand floats: 1.0 ms to write and 0.55 ms to read in JSON, 0.05 and 0.02 in marshal), but
it carries what JSON would not as it is (tuples stay tuples) and some of what JSON would
otherwise: a numpy number, which JSON wrote as a float, goes as its bytes. So a message is read
back and compared before it goes (30 µs for a job), and one that does not come back equal goes
as JSON gives it back (NaN, which equals nothing, among them): what arrives is what JSON would
have carried, or what was sent."""

import json
import marshal


def exact(record) -> bytes | None:
    """`record` in marshal, where the bytes give back an equal record; else None (numpy's
    numbers, which marshal writes as their bytes; NaN; what marshal cannot write at all). The
    reference's shared observations are kept so too (`grading.reference._frozen`)."""
    try:
        data = marshal.dumps(record)
    except ValueError:  # what marshal cannot write at all (a set of lists, a class...)
        return None
    return data if marshal.loads(data) == record else None


def dumps(record) -> bytes:
    """`record` in marshal, as it is or as JSON gives it back; TypeError if JSON cannot either."""
    try:
        data = exact(record)
    except ValueError:  # an array's comparison, which has no one truth: JSON cannot carry it
        data = None
    return data or marshal.dumps(json.loads(json.dumps(record)))
