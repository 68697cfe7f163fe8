"""The estimator pipeline, the MLflow model wrapper, registry access and reason codes."""
