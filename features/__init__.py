"""Shipment contract, validation and the feature families the model uses."""
