"""fleetprivacy: private vs professional usage of company vehicles."""
__version__ = "0.1.0"
