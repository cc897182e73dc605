"""MedCurate: reproducible curation of medical LLM benchmarks."""

__version__ = "0.1.0"
