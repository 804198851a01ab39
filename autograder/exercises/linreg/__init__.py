"""Linear regression from scratch in PyTorch: `model`, `mse` and `train_step` on the crop-yield
data. Its definition for the engine is `exercise.EXERCISE`; its reference lives in reference/
(no package: never installed, masked in every child's view)."""
