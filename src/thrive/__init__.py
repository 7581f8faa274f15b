"""The open platform for the THRIVE Framework."""
