"""The crop-yield data of the original notebook: the one place it is defined."""

from autograder.grading.exercise import tensor_cell

# temperature (F), rainfall (mm), humidity (%) per region
INPUTS = (
    (73.0, 67.0, 43.0),
    (91.0, 88.0, 64.0),
    (87.0, 134.0, 58.0),
    (102.0, 43.0, 37.0),
    (69.0, 96.0, 70.0),
)
# apples, oranges (tons per hectare); a widely copied version has 113 for 133: a typo
TARGETS = (
    (56.0, 70.0),
    (81.0, 101.0),
    (119.0, 133.0),
    (22.0, 37.0),
    (103.0, 119.0),
)
LEARNING_RATE = 1e-5
EPOCHS = 100


def notebook_code() -> str:
    """The notebook's data cell."""
    return "\n".join((
        tensor_cell("inputs", "temperature (°F), rainfall (mm), humidity (%): one row per region",
                    INPUTS),
        tensor_cell("targets", "apples, oranges (tons per hectare): one row per region",
                    TARGETS)))
