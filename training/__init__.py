"""The shipment simulator, retraining runs, evaluation and threshold policies."""
