"""An LLM judge trained on physicians' grades: its training export, its score against them."""
