"""Linear regression with PyTorch's built-ins: `make_loader`, `make_model`, `fit` and `evaluate`
on the 15-region crop-yield data. Its definition for the engine is `exercise.EXERCISE`; its
reference lives in reference/ (no package: never installed, masked in every child's view)."""
