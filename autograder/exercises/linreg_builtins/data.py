"""The crop-yield data of the lesson's second half: 15 regions, the one place it is defined."""

from autograder.grading.exercise import tensor_cell

# temperature (F), rainfall (mm), humidity (%) per region
INPUTS = (
    (73.0, 67.0, 43.0), (91.0, 88.0, 64.0), (87.0, 134.0, 58.0), (102.0, 43.0, 37.0),
    (69.0, 96.0, 70.0), (74.0, 66.0, 43.0), (91.0, 87.0, 65.0), (88.0, 134.0, 59.0),
    (101.0, 44.0, 37.0), (68.0, 96.0, 71.0), (73.0, 66.0, 44.0), (92.0, 87.0, 64.0),
    (87.0, 135.0, 57.0), (103.0, 43.0, 36.0), (68.0, 97.0, 70.0),
)
# apples, oranges (tons per hectare)
TARGETS = (
    (56.0, 70.0), (81.0, 101.0), (119.0, 133.0), (22.0, 37.0), (103.0, 119.0),
    (57.0, 69.0), (80.0, 102.0), (118.0, 132.0), (21.0, 38.0), (104.0, 118.0),
    (57.0, 69.0), (82.0, 100.0), (118.0, 134.0), (20.0, 38.0), (102.0, 120.0),
)
BATCH_SIZE = 5
LEARNING_RATE = 1e-5
EPOCHS = 100


def notebook_code() -> str:
    """The notebook's data cell."""
    return "\n".join((
        tensor_cell("inputs", "temperature (°F), rainfall (mm), humidity (%): one row per region",
                    INPUTS),
        tensor_cell("targets", "apples, oranges (tons per hectare): one row per region",
                    TARGETS)))
